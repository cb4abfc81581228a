import { HttpException, HttpStatus } from '@nestjs/common';
import type { CapabilityProblem, RunStarter } from '@kiln/engine';

/**
 * 403: the pipeline uses node types whose declared capabilities this instance refuses to the
 * caller's role. Each problem names the node, its path, the capability and the setting that allows it.
 */
export class CapabilityRefusedException extends HttpException {
  constructor(starter: RunStarter, problems: readonly CapabilityProblem[]) {
    const who = starter.role ? `role ${starter.role}` : starter.name;
    super(
      {
        statusCode: HttpStatus.FORBIDDEN,
        error: 'Forbidden',
        message: `the pipeline uses capabilities this instance does not allow for ${who}: ${[...new Set(problems.map((p) => p.capability))].join(', ')}`,
        problems,
      },
      HttpStatus.FORBIDDEN,
    );
  }
}

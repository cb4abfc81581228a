import { type ComponentProps, Suspense, lazy } from 'react';

const ParamFormChunk = lazy(() => import('./ParamForm').then((m) => ({ default: m.ParamForm })));

/** The param form, loaded with its form library on first use: the studio opens without it. */
export function ParamForm(props: ComponentProps<typeof ParamFormChunk>) {
  return (
    <Suspense
      fallback={
        <p role="status" className="muted small">
          Loading the form…
        </p>
      }
    >
      <ParamFormChunk {...props} />
    </Suspense>
  );
}

import { z } from 'zod';
import { jsonObject, timestamp } from './common';

/** A schedule with its next fire times and the runs it started lately (from Temporal). */
export const schedule = z.object({
  id: z.string().describe('The Temporal schedule id.'),
  pipelineId: z.uuid(),
  cron: z.string(),
  timezone: z.string(),
  params: jsonObject,
  overlap: z.string(),
  paused: z.boolean(),
  createdAt: timestamp,
  createdBy: z.string(),
  nextTimes: z.array(timestamp),
  recentRuns: z.array(z.object({ runId: z.string(), at: timestamp })),
});
export type Schedule = z.infer<typeof schedule>;

/** `GET /schedules/preview`: a cron expression's next fire times, without a schedule. */
export const schedulePreview = z.object({ cron: z.string(), timezone: z.string(), nextTimes: z.array(timestamp) });
export type SchedulePreview = z.infer<typeof schedulePreview>;

/** `POST /schedules/{id}/trigger`. */
export const scheduleTriggered = z.object({ scheduleId: z.string(), triggered: z.literal(true), runId: z.string() });
export type ScheduleTriggered = z.infer<typeof scheduleTriggered>;
/** `POST /schedules/{id}/backfill`. */
export const scheduleBackfill = z.object({ scheduleId: z.string(), backfill: z.object({ from: z.string(), to: z.string() }) });
export type ScheduleBackfill = z.infer<typeof scheduleBackfill>;

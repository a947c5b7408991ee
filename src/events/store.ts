import type { TaggedLabel } from "../classification/labels";
import type { Db } from "../db/client";
import { type PromptEventRow, promptEvents, promptLabels } from "../db/schema";

/**
 * Writes one event and its labels in a transaction. Idempotent: a repeated event id (a retried job,
 * a duplicate post after BullMQ forgot the first job) inserts nothing. Returns whether it inserted.
 */
export async function storeEvent(
  db: Db,
  event: PromptEventRow,
  labels: readonly TaggedLabel[],
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(promptEvents)
      .values(event)
      .onConflictDoNothing({ target: promptEvents.id })
      .returning({ id: promptEvents.id });
    if (inserted.length === 0) return false;
    if (labels.length > 0) {
      await tx
        .insert(promptLabels)
        .values(
          labels.map((l) => ({
            eventId: event.id,
            path: l.path,
            confidence: l.confidence,
            tag: l.tag,
            category: l.category,
          })),
        )
        .onConflictDoNothing();
    }
    return true;
  });
}

/**
 * Figures per request group of one run (a scenario's `groupOf`): success of the client requests
 * and, where they carry an `x-request-id`, how many of them reached the origin more than once.
 *
 * The
 * POST scenario shows a route declared repeatable next to POSTs no route declares; the
 * broken-endpoint scenario the healthy paths next to the always-500 one.
 */
import type { LoadRequest, Outcome } from './load.js';
import { isSuccess } from './stats.js';

export interface GroupFigures {
  sent: number;
  succeeded: number;
  /** 0..1; null when nothing was sent. */
  successRate: number | null;
  /** Requests of the group the origin received more than once; absent when they carry no `x-request-id`. */
  duplicates?: number;
}

export function groupFigures(
  requests: readonly LoadRequest[],
  outcomes: readonly Outcome[],
  requestIds: Readonly<Record<string, number>>,
  groupOf: (request: LoadRequest) => string,
): Record<string, GroupFigures> {
  const groups: Record<string, GroupFigures> = {};
  const group = (name: string) => (groups[name] ??= { sent: 0, succeeded: 0, successRate: null });
  for (const request of requests) {
    const g = group(groupOf(request));
    if (request.headers?.['x-request-id'] !== undefined) g.duplicates = 0;
  }
  for (const outcome of outcomes) {
    const g = group(groupOf(requests[outcome.i]!));
    g.sent += 1;
    if (isSuccess(outcome)) g.succeeded += 1;
  }
  const groupOfId = new Map(requests.map((r) => [r.headers?.['x-request-id'], groupOf(r)]));
  for (const [id, times] of Object.entries(requestIds)) {
    const name = groupOfId.get(id);
    if (name !== undefined && times > 1) group(name).duplicates! += 1;
  }
  for (const g of Object.values(groups)) g.successRate = g.sent === 0 ? null : g.succeeded / g.sent;
  return groups;
}

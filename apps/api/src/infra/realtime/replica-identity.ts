import { randomUUID } from 'node:crypto';

/** This replica's id, stamped on what it publishes. One per application instance. */
export class ReplicaIdentity {
  readonly id: string = randomUUID();
}

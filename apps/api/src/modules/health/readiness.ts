import { Injectable } from '@nestjs/common';

/** Whether this replica accepts new work; false once it starts draining. */
@Injectable()
export class Readiness {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  startDraining(): void {
    this.draining = true;
  }
}

import { FlowSpec, param, step, trigger } from 'flowtrail';

/** Loads a dataset whenever `data_updated` arrives; the event's `table` field picks the table. */
@trigger({ event: 'data_updated', parameters: { table: 'table' } })
export class ETLFlow extends FlowSpec {
  @param.string({ default: 'sales', help: 'table to load' }) table!: string;
  rows!: number[];

  @step({ next: 'end' })
  async start() {
    this.rows = Array.from({ length: 10 }, (_, i) => i * 3);
    console.log(`loaded ${this.rows.length} rows of ${this.table}`);
  }

  @step()
  async end() {}
}

import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';
import { BadRequestError, type FieldProblem } from './domain-errors';

export function toFieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses with a shared protocol schema or throws a 400 listing every field problem. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new BadRequestError(`Invalid ${what}`, toFieldProblems(result.error));
  }
  return result.data;
}

/** `@Body(new ZodPipe(schema))`: validates HTTP input with the protocol's zod schemas. */
@Injectable()
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.infer<T> {
    return parseOrThrow(
      this.schema,
      value ?? {},
      metadata.type === 'body' ? 'body' : metadata.type,
    );
  }
}

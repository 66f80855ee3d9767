import { Param, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DomainError } from './errors.js';

class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}
  transform(value: string): string {
    if (!isUUID(value)) {
      throw DomainError.validation([
        { field: this.name, code: 'invalid_format', message: `${this.name} must be a UUID` },
      ]);
    }
    return value;
  }
}

// A UUID path parameter; anything else is a 400 naming the parameter.
export const IdParam = (name = 'id') => Param(name, new UuidPipe(name));

import { describe, expect, it } from '@jest/globals';
import { checkJsonStructure } from './json-body.js';

const limits = { maxDepth: 3, maxEntries: 10, maxMembers: 4 };
const check = (text: string) => checkJsonStructure(Buffer.from(text, 'utf8'), limits)?.code;

describe(checkJsonStructure.name, () => {
  it('accepts a body within every bound', () => {
    expect(check('{"a":[1,{"b":2}],"c":"d"}')).toBeUndefined();
    expect(check('')).toBeUndefined();
  });

  it('counts depth over objects and arrays', () => {
    expect(check('[[[]]]')).toBeUndefined();
    expect(check('[[[[]]]]')).toBe('too_deep');
    expect(check('{"a":{"b":{"c":{}}}}')).toBe('too_deep');
    // closing brackets bring the depth back down
    expect(check('[[[]]],[[[]]]')).toBeUndefined();
  });

  it('counts entries over the whole body', () => {
    expect(check('[1,2,3,4,5,6,7,8,9]')).toBeUndefined();
    expect(check('[1,2,3,4,5,6,7,8,9,10,11]')).toBe('too_many_entries');
  });

  it('counts members per object, not per array', () => {
    expect(check('{"a":1,"b":2,"c":3,"d":4}')).toBeUndefined();
    expect(check('{"a":1,"b":2,"c":3,"d":4,"e":5}')).toBe('too_many_members');
    expect(check('{"a":[1,2,3,4,5,6]}')).toBeUndefined();
    // an inner object's commas are its own
    expect(check('{"a":{"x":1,"y":2,"z":3},"b":2,"c":3}')).toBeUndefined();
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    expect(check('{"a":"[[[[[,,,,,,,,,,,{{{{"}')).toBeUndefined();
    expect(check('{"a":"\\"[[[[\\\\","b":"]]]"}')).toBeUndefined();
    expect(check('["\\\\",[[[]]]]')).toBe('too_deep');
  });

  it('scans multi-byte UTF-8 without mistaking its bytes for structure', () => {
    expect(check('{"a":"é𝄞[[[[","b":"日本"}')).toBeUndefined();
  });
});

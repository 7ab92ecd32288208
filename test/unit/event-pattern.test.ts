import { describe, expect, it } from 'vitest';
import { compileEventPattern, matchesEventPattern } from '#local/event-pattern.ts';

/**
 * The local EventBridge matcher against the examples of the EventBridge user guide ("Creating
 * event patterns", "Content filtering in Amazon EventBridge event patterns", "Comparison
 * operators for use in event patterns"): each example's pattern, an event it matches and one it
 * does not.
 */

// The guide's EC2 instance state-change notification, used by most of its examples.
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const matches = (pattern: unknown, event: unknown) => matchesEventPattern(pattern, event);

describe('EventBridge event patterns: fields and values', () => {
  it('matches the envelope fields source, detail-type, account and region, every key (AND), any value (OR)', () => {
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      account: ['111122223333', '444455556666'],
      region: ['us-west-1'],
    };

    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, { ...ec2Event, account: '999999999999' })).toBe(false);
    expect(matches(pattern, { ...ec2Event, region: 'eu-west-1' })).toBe(false);
    expect(matches({ ...pattern, source: ['aws.s3'] }, ec2Event)).toBe(false);
  });

  it('descends into detail for nested fields, and a missing field does not match', () => {
    const pattern = { detail: { state: ['terminated', 'stopped'] } };

    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, { ...ec2Event, detail: { state: 'running' } })).toBe(false);
    expect(matches(pattern, { ...ec2Event, detail: {} })).toBe(false);
    expect(matches({ detail: { state: { code: ['16'] } } }, ec2Event)).toBe(false);
  });

  it('matches an array in the event when any element is one of the values', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0',
      ],
    };

    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, { ...ec2Event, resources: ['arn:aws:ec2:us-east-1:1:instance/i-other'] })).toBe(
      false,
    );
    expect(matches(pattern, { ...ec2Event, resources: [] })).toBe(false);
  });

  it('compares exactly, type included: empty string, null, numbers and booleans', () => {
    expect(matches({ detail: { LastName: [''] } }, { detail: { LastName: '' } })).toBe(true);
    expect(matches({ detail: { LastName: [''] } }, { detail: { LastName: 'Doe' } })).toBe(false);
    expect(matches({ detail: { UserID: [null] } }, { detail: { UserID: null } })).toBe(true);
    expect(matches({ detail: { UserID: [null] } }, { detail: {} })).toBe(false);
    expect(matches({ detail: { count: [5] } }, { detail: { count: 5 } })).toBe(true);
    expect(matches({ detail: { count: ['5'] } }, { detail: { count: 5 } })).toBe(false);
    expect(matches({ detail: { enabled: [true] } }, { detail: { enabled: 'true' } })).toBe(false);
    expect(matches({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
  });
});

describe('EventBridge event patterns: comparison operators', () => {
  it('prefix, and prefix ignoring case', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] }, ec2Event)).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(false);
    const ignoring = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matches(ignoring, { detail: { service: 'eventbridge' } })).toBe(true);
    expect(matches(ignoring, { detail: { service: 'EVENTBRIDGE' } })).toBe(true);
    expect(matches(ignoring, { detail: { service: 'lambda' } })).toBe(false);
  });

  it('suffix, and suffix ignoring case', () => {
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } }, { detail: { FileName: 'a.png' } })).toBe(
      true,
    );
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } }, { detail: { FileName: 'a.PNG' } })).toBe(
      false,
    );
    const ignoring = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matches(ignoring, { detail: { FileName: 'a.PNG' } })).toBe(true);
    expect(matches(ignoring, { detail: { FileName: 'a.jpg' } })).toBe(false);
  });

  it('equals-ignore-case', () => {
    const pattern = { detail: { name: [{ 'equals-ignore-case': 'alice' }] } };

    expect(matches(pattern, { detail: { name: 'ALICE' } })).toBe(true);
    expect(matches(pattern, { detail: { name: 'Alice Smith' } })).toBe(false);
  });

  it('anything-but: a string, a number, a list, a prefix, a suffix, ignoring case, a wildcard', () => {
    const state = (s: unknown) => ({ detail: { state: s } });
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, state('running'))).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, state('initializing'))).toBe(
      false,
    );
    expect(
      matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 124 } }),
    ).toBe(true);
    expect(
      matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 123 } }),
    ).toBe(false);
    const list = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matches(list, state('running'))).toBe(true);
    expect(matches(list, state('overloaded'))).toBe(false);
    // The field must be there for anything-but to match.
    expect(matches(list, { detail: {} })).toBe(false);
    const notPrefix = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matches(notPrefix, state('running'))).toBe(true);
    expect(matches(notPrefix, state('initializing'))).toBe(false);
    const notSuffix = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
    expect(matches(notSuffix, { detail: { FileName: 'a.png' } })).toBe(true);
    expect(matches(notSuffix, { detail: { FileName: 'a.txt' } })).toBe(false);
    const notIgnoringCase = {
      detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped'] } }] },
    };
    expect(matches(notIgnoringCase, state('STOPPED'))).toBe(false);
    expect(matches(notIgnoringCase, state('running'))).toBe(true);
    const notWildcard = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
    expect(matches(notWildcard, { detail: { FilePath: '/usr/lib/x' } })).toBe(false);
    expect(matches(notWildcard, { detail: { FilePath: '/usr/bin/x' } })).toBe(true);
  });

  it('numeric ranges, equality and their type', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    const event = { detail: { 'c-count': 5, 'd-count': 7, 'x-limit': 301.8 } };

    expect(matches(pattern, event)).toBe(true);
    expect(matches(pattern, { detail: { ...event.detail, 'c-count': 0 } })).toBe(false);
    expect(matches(pattern, { detail: { ...event.detail, 'c-count': 5.5 } })).toBe(false);
    expect(matches(pattern, { detail: { ...event.detail, 'd-count': 10 } })).toBe(false);
    expect(matches(pattern, { detail: { ...event.detail, 'x-limit': '301.8' } })).toBe(false);
    expect(matches({ detail: { n: [{ numeric: ['>=', 2] }] } }, { detail: { n: 2 } })).toBe(true);
  });

  it('exists true and false, on leaves and under a missing parent', () => {
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, { detail: { 'c-count': 3 } })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, { detail: {} })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, { detail: {} })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, { detail: { 'c-count': 3 } })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, { source: 'x' })).toBe(true);
    // exists works on leaves only: an object is not a leaf.
    expect(matches({ detail: [{ exists: true }] }, ec2Event)).toBe(false);
  });

  it('wildcard and cidr', () => {
    expect(
      matches({ detail: { path: [{ wildcard: 'dir/*.png' }] } }, { detail: { path: 'dir/a.png' } }),
    ).toBe(true);
    expect(
      matches({ detail: { path: [{ wildcard: 'dir/*.png' }] } }, { detail: { path: 'dir/a.jpg' } }),
    ).toBe(false);
    const ip = { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } };
    expect(matches(ip, { detail: { 'source-ip': '10.0.0.255' } })).toBe(true);
    expect(matches(ip, { detail: { 'source-ip': '10.0.1.0' } })).toBe(false);
  });

  it('$or between nested patterns, at the top level and inside detail', () => {
    const pattern = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(matches(pattern, { detail: { 'd-count': 3 } })).toBe(true);
    expect(matches(pattern, { detail: { 'c-count': 9, 'd-count': 30 } })).toBe(false);
    const top = { source: ['aws.ec2'], $or: [{ region: ['eu-west-1'] }, { account: ['111122223333'] }] };
    expect(matches(top, ec2Event)).toBe(true);
    expect(matches(top, { ...ec2Event, account: '1' })).toBe(false);
  });
});

describe('EventBridge event patterns: what the local cloud refuses', () => {
  it('names the path of an unknown operator, an empty list, a bad numeric or a scalar field', () => {
    expect(() => compileEventPattern({ detail: { a: [{ regex: '.*' }] } })).toThrow(/detail\.a.*regex/);
    expect(() => compileEventPattern({ source: [] })).toThrow(/source/);
    expect(() => compileEventPattern({ detail: { n: [{ numeric: ['~', 1] }] } })).toThrow(/detail\.n/);
    expect(() => compileEventPattern({ source: 'aws.ec2' })).toThrow(/source/);
    expect(() => compileEventPattern({ $or: [{ source: ['a'] }] })).toThrow(/\$or/);
    expect(() => compileEventPattern('[]')).toThrow(/object/);
  });

  it('reads a pattern given as JSON text, as stream filter criteria are', () => {
    const matcher = compileEventPattern('{"dynamodb":{"Keys":{"sk":{"S":["#TICKET"]}}}}');

    expect(matcher({ dynamodb: { Keys: { sk: { S: '#TICKET' } } } })).toBe(true);
    expect(matcher({ dynamodb: { Keys: { sk: { S: '#OTHER' } } } })).toBe(false);
  });
});

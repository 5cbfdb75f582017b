import { describe, expect, it } from 'vitest';
import { DEFAULT_SUBJECTS } from '../../src/domain/nx-scale.ts';
import { suggestSubject } from '../../src/domain/subject-suggestions.ts';

describe('suggestSubject with the default subjects', () => {
  it.each([
    ['Y5 Maths Attainment', 'mathematics'],
    ['KS2 Maths TA', 'mathematics'],
    ['Mathematics', 'mathematics'],
    ['KS2 Reading TA', 'reading'],
    ['Writing', 'writing'],
    ['Y3 Writing Assessment', 'writing'],
    ['y6_writing-ta', 'writing'],
  ])('suggests %s feeds %s, for a person to confirm', (aspect, code) => {
    const suggestion = suggestSubject(aspect, DEFAULT_SUBJECTS);
    expect(suggestion).toMatchObject({ subjectCode: code, ignore: false });
    expect(suggestion?.reason).toMatch(/confirm/);
  });

  it.each([
    ['Writing Effort', /effort/i],
    ['Maths Target', /target/i],
    ['Predicted Reading', /prediction/i],
    ['Reading Behaviour', /behaviour/i],
    ['Attitude to learning', /attitude/i],
    ['Reading Age', /reading or spelling age/i],
    ['FFT Estimate Maths', /estimate/i],
  ])('proposes ignoring %s, saying it is not attainment', (aspect, why) => {
    const suggestion = suggestSubject(aspect, DEFAULT_SUBJECTS);
    expect(suggestion).toMatchObject({ subjectCode: null, ignore: true });
    expect(suggestion?.reason).toMatch(why);
    expect(suggestion?.reason).toMatch(/not attainment/);
  });

  it.each(['English', 'GPS', 'SPaG', 'Number', 'Science', '', '  '])(
    'guesses nothing for "%s"',
    (aspect) => {
      expect(suggestSubject(aspect, DEFAULT_SUBJECTS)).toBeNull();
    },
  );

  it('matches whole words only', () => {
    expect(suggestSubject('Proofreading', DEFAULT_SUBJECTS)).toBeNull();
    expect(suggestSubject('Key Stage 2 Maths', DEFAULT_SUBJECTS)?.subjectCode).toBe('mathematics');
  });

  it('guesses nothing when the name mentions two subjects', () => {
    expect(suggestSubject('Reading and Writing', DEFAULT_SUBJECTS)).toBeNull();
  });
});

describe('suggestSubject with subjects a trust adds', () => {
  const subjects = [
    ...DEFAULT_SUBJECTS,
    { code: 'science', name: 'Science' },
    { code: 'dt', name: 'Design and Technology' },
    { code: 'english', name: 'English' },
  ];

  it('works from the names of the subjects', () => {
    expect(suggestSubject('Y6 Science TA', subjects)?.subjectCode).toBe('science');
    expect(suggestSubject('Design and Technology Y8', subjects)?.subjectCode).toBe('dt');
  });

  it('needs every word of a longer name', () => {
    expect(suggestSubject('Technology', subjects)).toBeNull();
  });

  it('suggests English when the trust has it', () => {
    expect(suggestSubject('English', subjects)?.subjectCode).toBe('english');
  });

  it('guesses nothing between English and Reading', () => {
    expect(suggestSubject('English Reading', subjects)).toBeNull();
  });

  it('gives maths its other names whatever the trust calls it', () => {
    const maths = [{ code: 'ma', name: 'Maths' }];
    expect(suggestSubject('Y4 Mathematics', maths)?.subjectCode).toBe('ma');
  });
});

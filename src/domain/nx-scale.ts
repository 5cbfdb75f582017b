/**
 * The Next Steps scale as the trust's policy gives it (Appendix 1, as reconstructed in the policy
 * notes). It seeds the `nx_points` table once; from then on the scale is data the trust edits.
 */

export interface NxPointSeed {
  code: string;
  mainstream: string;
  specialist: string;
  qualification: string;
}

export const NX_SCALE_SEED: readonly NxPointSeed[] = [
  {
    code: 'NX1',
    mainstream: 'Engagement Model: not yet engaged in subject-specific study',
    specialist: 'Engagement Model',
    qualification: '',
  },
  { code: 'NX2', mainstream: 'EYFS curriculum', specialist: 'Standard 1', qualification: '' },
  { code: 'NX3', mainstream: 'EYFS curriculum', specialist: 'Standard 2', qualification: '' },
  { code: 'NX4', mainstream: 'EYFS curriculum', specialist: 'Standard 3', qualification: '' },
  { code: 'NX5', mainstream: 'EYFS curriculum', specialist: 'Standard 4', qualification: '' },
  {
    code: 'NX6',
    mainstream: 'Working towards KS1 expected standard (Y1/2)',
    specialist: 'Standard 5',
    qualification: 'Working towards Entry Level 1',
  },
  {
    code: 'NX7',
    mainstream: 'Working at KS1 expected standard (Y2)',
    specialist: 'Standard 6',
    qualification: 'Entry Level 1',
  },
  {
    code: 'NX8',
    mainstream: 'KS1 greater depth, and working towards KS2 expected standard',
    specialist: '',
    qualification: 'Entry Level 2 (and working towards it)',
  },
  {
    code: 'NX9',
    mainstream: 'Working at KS2 expected standard (Y6)',
    specialist: '',
    qualification: 'Entry Level 3 (and working towards it)',
  },
  { code: 'NX10', mainstream: 'KS2 greater depth, and KS3', specialist: '', qualification: '' },
  {
    code: 'NX11',
    mainstream: 'GCSE grades 1-3',
    specialist: '',
    qualification: 'BTEC Level 1, Functional Skills Level 1',
  },
  {
    code: 'NX12',
    mainstream: 'GCSE grades 4-9',
    specialist: '',
    qualification: 'BTEC Level 2, Functional Skills Level 2',
  },
  {
    code: 'NX13',
    mainstream: 'AS level, A level',
    specialist: '',
    qualification: 'NVQ Level 3 and equivalents',
  },
];

/** Subjects collected by default: the baseline names mathematics, reading and writing (8.3). */
export const DEFAULT_SUBJECTS: readonly { code: string; name: string }[] = [
  { code: 'reading', name: 'Reading' },
  { code: 'writing', name: 'Writing' },
  { code: 'mathematics', name: 'Mathematics' },
];

import { makeDemoUpn } from './upn.ts';

/**
 * Meadow Lane Primary's baseline, in its old tracking scheme: the trust template filled in with
 * the grades the school used before it converted, a few of which need a person to map.
 */
export function baselineReturn(): string {
  const rows = [
    'Meadow Lane Primary: baseline return,,,,,,,,,,',
    'UPN,Surname,Forename,Date of birth,Year group,Sex,SEN status,Assessment date,' +
      'Reading,Writing,Maths',
  ];
  const pupils: [string, string, string, string, string, string, string, string, string][] = [
    ['Achieng', 'Grace', '2020-02-11', 'Y2', 'F', 'N', 'EXS', 'WTS', 'EXS'],
    ['Begum', 'Maryam', '2019-11-30', 'Y2', 'F', 'K', 'WTS', 'WTS', 'EXS'],
    ['Clarke', 'Leo', '2018-05-04', 'Y3', 'M', 'N', 'Y3 Secure', 'Y3 Developing', 'Y3 Secure'],
    ['Davies', 'Freya', '2017-10-21', 'Y4', 'F', 'N', 'Y4 Secure', 'Y4 Secure', 'Y4 Greater Depth'],
    ['Evans', 'Kwame', '2017-01-17', 'Y4', 'M', 'E', 'PK4', 'PK3', 'PK4'],
    [
      'Hussain',
      'Ibrahim',
      '2016-03-09',
      'Y5',
      'M',
      'N',
      'Y5 Developing',
      'Y5 Emerging',
      'Y5 Secure',
    ],
    ['Kelly', 'Niamh', '2015-12-01', 'Y6', 'F', 'N', 'GDS', 'EXS', 'EXS'],
    ['Novak', 'Aleksandra', '2015-09-14', 'Y6', 'F', 'N', 'EXS', 'EXS', 'GDS'],
    ['Okafor', 'Chiamaka', '2016-06-23', 'Y6', 'F', 'K', 'WTS', 'HNM', 'WTS'],
    ['Wright', 'Oscar', '2020-07-19', 'Y2', 'M', 'N', 'GDS', 'EXS', 'GDS'],
  ];
  pupils.forEach(([last, first, dob, year, sex, sen, reading, writing, maths], index) => {
    const [y, m, d] = dob.split('-');
    rows.push(
      [
        makeDemoUpn(index + 1),
        last,
        first,
        `${d}/${m}/${y}`,
        year,
        sex,
        sen,
        '04/12/2026',
        reading,
        writing,
        maths,
      ].join(','),
    );
  });
  return `${rows.join('\r\n')}\r\n`;
}

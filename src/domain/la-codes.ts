/**
 * DfE local authority numbers that can appear as characters 2-4 of a UPN: the number of the LA
 * whose school allocated it. A UPN keeps the number it was given, so authorities that have since
 * been abolished stay in the list; wrongly rejecting a real pupil's UPN costs a school far more
 * than letting through a made-up number that still has a correct check letter.
 *
 * Source: DfE's own list in the multiplication tables check service (DFEAGILEDEVOPS/MTC,
 * db/migrations/core-data/20210129171943.do.populate-la-code-table.sql and the 2023 addition of
 * 942 and 943), leaving out its placeholders 000 ("does not apply") and 999 ("test"). That list
 * lacks four real numbers, added here: 820 Bedfordshire and 875 Cheshire (abolished 2009) and
 * 940 North Northamptonshire and 941 West Northamptonshire (created 2021).
 */

const INNER_LONDON = range(201, 213); // 201 City of London to 213 Westminster
const OUTER_LONDON = range(301, 320); // 301 Barking and Dagenham to 320 Waltham Forest

const METROPOLITAN_DISTRICTS = [
  ...range(330, 336), // West Midlands: Birmingham to Wolverhampton
  ...range(340, 344), // Merseyside: Knowsley to Wirral
  ...range(350, 359), // Greater Manchester: Bolton to Wigan
  ...range(370, 373), // South Yorkshire: Barnsley to Sheffield
  ...range(380, 384), // West Yorkshire: Bradford to Wakefield
  ...range(390, 394), // Tyne and Wear: Gateshead to Sunderland
];

const ISLES_OF_SCILLY = [420];

// Wales: 660 Isle of Anglesey to 681 Cardiff. Welsh schools allocate UPNs in the same format.
const WALES = range(660, 681);

// Establishments outside the UK's LAs: Scotland, BFPO and fieldwork overseas, Isle of Man,
// Guernsey, Jersey and Gibraltar. A service child's UPN can carry one of these.
const OFFSHORE_AND_OVERSEAS = [701, 702, ...range(704, 708)];

// English unitary authorities and the shire counties renumbered when they became unitary.
const UNITARY_AND_REORGANISED = [
  ...[800, 801, 802, 803], // the former Avon: Bath and North East Somerset to South Gloucestershire
  ...[805, 806, 807, 808], // the former Cleveland: Hartlepool to Stockton-on-Tees
  ...[810, 811, 812, 813], // the former Humberside: Hull to North Lincolnshire
  ...[815, 816], // North Yorkshire, York
  ...[820, 821, 822, 823], // Bedfordshire (to 2009), Luton, Bedford, Central Bedfordshire
  ...[825, 826], // Buckinghamshire, Milton Keynes
  ...[830, 831], // Derbyshire, Derby
  ...range(835, 839), // Dorset, Poole, Bournemouth (to 2019), Dorset, BCP (from 2019)
  ...[840, 841], // County Durham, Darlington
  ...[845, 846], // East Sussex, Brighton and Hove
  ...[850, 851, 852], // Hampshire, Portsmouth, Southampton
  ...[855, 856, 857], // Leicestershire, Leicester, Rutland
  ...[860, 861], // Staffordshire, Stoke-on-Trent
  ...range(865, 872), // Wiltshire, Swindon and the six Berkshire unitaries
  ...[873, 874], // Cambridgeshire, Peterborough
  ...[875, 876, 877], // Cheshire (to 2009), Halton, Warrington
  ...[878, 879, 880], // Devon, Plymouth, Torbay
  ...[881, 882, 883], // Essex, Southend-on-Sea, Thurrock
  ...[884, 885], // Herefordshire, Worcestershire
  ...[886, 887], // Kent, Medway
  ...[888, 889, 890], // Lancashire, Blackburn with Darwen, Blackpool
  ...[891, 892], // Nottinghamshire, Nottingham
  ...[893, 894], // Shropshire, Telford and Wrekin
  ...[895, 896], // Cheshire East, Cheshire West and Chester (from 2009)
];

// Shire counties that kept their original number, and the authorities that replaced two of them.
const COUNTIES = [
  ...[908, 909], // Cornwall, Cumbria (to 2023)
  ...[916, 919, 921], // Gloucestershire, Hertfordshire, Isle of Wight
  ...[925, 926, 928, 929], // Lincolnshire, Norfolk, Northamptonshire (to 2021), Northumberland
  ...[931, 933], // Oxfordshire, Somerset
  ...[935, 936, 937, 938], // Suffolk, Surrey, Warwickshire, West Sussex
  ...[940, 941], // North Northamptonshire, West Northamptonshire (from 2021)
  ...[942, 943], // Cumberland, Westmorland and Furness (from 2023)
];

/** Three-digit LA numbers, as they appear in a UPN ('201', '938'). */
export const LA_CODES: ReadonlySet<string> = new Set(
  [
    ...INNER_LONDON,
    ...OUTER_LONDON,
    ...METROPOLITAN_DISTRICTS,
    ...ISLES_OF_SCILLY,
    ...WALES,
    ...OFFSHORE_AND_OVERSEAS,
    ...UNITARY_AND_REORGANISED,
    ...COUNTIES,
  ].map(String),
);

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, offset) => first + offset);
}

import { describe, expect, it } from 'vitest';
import { parseOwnerCell } from '../../shared/domain/owners.ts';
import { WRAPPED_LINE } from '../../shared/domain/text.ts';

describe('parseOwnerCell', () => {
  it.each([
    ['Deputy Governor/ Head of Reducing Reoffending', ['Deputy Governor', 'Head of Reducing Reoffending']],
    [
      'Senior Pharmacist\nSubstance Misuse and Inpatient Lead',
      ['Senior Pharmacist', 'Substance Misuse and Inpatient Lead'],
    ],
    ['• Governor\n• Head of Safety.', ['Governor', 'Head of Safety']],
    ['Governor\nGovernor', ['Governor']],
    ['Head of Healthcare, Practice Plus Group (PPG)', ['Head of Healthcare, Practice Plus Group (PPG)']],
    ['Head of Security & Intelligence', ['Head of Security & Intelligence']],
    ['Learning and Skills Manager', ['Learning and Skills Manager']],
    ['Head of Health and Safety', ['Head of Health and Safety']],
    ['NHSE and Deputy Operations Manager', ['NHSE', 'Deputy Operations Manager']],
    [
      'Substance Misuse Lead HMP Liverpool and head of Healthcare',
      ['Substance Misuse Lead HMP Liverpool', 'head of Healthcare'],
    ],
    ['Head of Learning and Skills and Deputy Governor', ['Head of Learning and Skills', 'Deputy Governor']],
    ['', []],
    ['  \n ', []],
  ])('%j → %j', (cell, owners) => {
    expect(parseOwnerCell(cell)).toEqual(owners);
  });
});

describe('owner cells whose lines the column wrapped', () => {
  const wrap = (...lines: string[]) => lines.join(WRAPPED_LINE);
  it.each([
    [wrap('Senior Pharmacist', 'Substance Misuse and Inpatient Lead'), ['Senior Pharmacist', 'Substance Misuse and Inpatient Lead']],
    [wrap('Programmes Manager', 'NOVUS Manager'), ['Programmes Manager', 'NOVUS Manager']],
    [wrap('Head of Reducing', 'Reoffending'), ['Head of Reducing Reoffending']],
    [wrap('Care Group Manager', 'LCFT'), ['Care Group Manager LCFT']],
    [wrap('Deputy Operations', 'Manager'), ['Deputy Operations Manager']],
    [wrap('Head of Residence', 'Head of Business Assurance'), ['Head of Residence Head of Business Assurance']],
  ])('%j → %j', (cell, owners) => {
    expect(parseOwnerCell(cell)).toEqual(owners);
  });
});

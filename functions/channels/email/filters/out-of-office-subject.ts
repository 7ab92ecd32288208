/**
 * Subjects that out-of-office replies use in the languages of European and Asian offices.
 * Only the start of the subject counts (after `Re:`/`AW:`/`RE:` and the like), where mailers
 * put them.
 */
const outOfOffice = [
  'automatic reply',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'autoresponse',
  'out of office',
  'out of the office',
  'ooo:',
  'abwesenheitsnotiz',
  'abwesend',
  'automatische antwort',
  'absence',
  'absent',
  'réponse automatique',
  'reponse automatique',
  'fuera de la oficina',
  'respuesta automática',
  'respuesta automatica',
  'ausente',
  'risposta automatica',
  'fuori ufficio',
  'afwezig',
  'automatisch antwoord',
  'afwezigheid',
  'fraværende',
  'fraværsmelding',
  'autosvar',
  'frånvaro',
  'frånvarande',
  'poissa',
  'lomalla',
  'poza biurem',
  'automatyczna odpowiedź',
  'resposta automática',
  'fora do escritório',
  'automatikus válasz',
  'nepřítomnost',
  '自動応答',
  '自動返信',
  '不在',
  '자동 회신',
  '自动回复',
  '自動回覆',
];

const prefixes = /^\s*((re|aw|antw|sv|vs|ref|fw|fwd|wg|tr|r)\s*:\s*)*/i;

/**
 * The out-of-office phrase a subject starts with, if any. A subject alone is weak evidence —
 * real requests say "absence" too — so it may only hold back the acknowledgement, never the
 * ticket.
 */
export function outOfOfficeSubject(subject: string | undefined): string | undefined {
  const rest = (subject ?? '').replace(prefixes, '').trim().toLowerCase();
  return outOfOffice.find((phrase) => rest.startsWith(phrase));
}

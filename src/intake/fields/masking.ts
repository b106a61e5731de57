// How ID numbers and mobiles appear in every response, page and export (PIPL): enough to recognise
// a person's own number, not enough to use it.

/** 320102199003071234 → 320102********1234 (first 6, 8 stars, last 4). */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 10) return "*".repeat(idNumber.length);
  return `${idNumber.slice(0, 6)}${"*".repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}

/** +8613812345678 or 13812345678 → 138****5678. */
export function maskMobile(mobile: string): string {
  const national = mobile.replace(/^\+86/, "");
  if (national.length <= 7) return "*".repeat(national.length);
  return `${national.slice(0, 3)}${"*".repeat(national.length - 7)}${national.slice(-4)}`;
}

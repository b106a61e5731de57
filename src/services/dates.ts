// Calendar dates ("YYYY-MM-DD", Asia/Shanghai days) travel as strings in the API and are stored in
// PostgreSQL `date` columns, which Prisma hands over as UTC midnights.
export const dateToDb = (isoDate: string) => new Date(`${isoDate}T00:00:00.000Z`);
export const dateFromDb = (date: Date) => date.toISOString().slice(0, 10);


/** TSPLIB EUC_2D: Euclidean distance rounded to the nearest integer, per edge. */
export function roundedEuclideanMatrix(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    for (let j = i + 1; j < n; j++) {
      const dx = xi - x[j]!;
      const dy = yi - y[j]!;
      const d = Math.floor(Math.sqrt(dx * dx + dy * dy) + 0.5);
      dist[i * n + j] = d;
      dist[j * n + i] = d;
    }
  }
  return dist;
}

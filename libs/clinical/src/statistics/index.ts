export { bernoulliCusum, type CusumPoint } from './cusum.js';
export { binomialLimit, funnelFlag, funnelLimits, FUNNEL_TAILS, type FunnelFlag, type FunnelLimits } from './funnel.js';
export { wilson, Z95, type Proportion } from './proportions.js';
export {
  countByDay,
  kaplanMeier,
  kaplanMeierFromCounts,
  logRank,
  logRankFromCounts,
  type DayCounts,
  type KaplanMeierRow,
  type LogRankResult,
  type SurvivalObservation,
} from './survival.js';
export { binomialCdf, chiSquareUpperTail, logGamma } from './special-functions.js';

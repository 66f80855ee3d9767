# Reproduces the outcome, survival and funnel reports (consentedOnly=true) from the de-identified CSV
# exports alone, as an analyst would: read.csv with default options, the definitions of DOMAIN.md
# § Outcome statistics, and the survival package for Kaplan–Meier and the log-rank test.
#
#   Rscript test/r/reproduce-reports.R cases.csv complications.csv figures.csv
#
# Writes one row per figure: `path` (report/…/figure, the report's JSON path with groups, complication
# types, days and surgeons as keys) and `value` (17 significant digits; NA where the report has null).
# Booleans may be written true/false or TRUE/FALSE: as.logical reads both. Columns that are empty in
# every row arrive as logical NA, which as.numeric turns into numeric NA. Follow-up completeness needs
# the windowClosed_<timepoint> columns (closed at the export date, which must be the report's day).
# Not reproducible from an export: the CUSUM (it orders cases by surgery date; exports carry the year).

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: reproduce-reports.R cases.csv complications.csv figures.csv")
cases <- read.csv(args[1])
complications <- read.csv(args[2])

Z <- 1.959963984540054
TIMEPOINTS <- c("6w", "3m", "6m", "1y", "2y", "5y")
WINDOWS <- c("preop", TIMEPOINTS)
INSTRUMENTS <- c("mhhs", "ihot12", "hosAdl", "hosSport", "nahs")
COMPLICATION_TYPES <- c(
  "heterotopic_ossification", "recurrent_snapping", "persistent_groin_pain", "hip_flexor_weakness",
  "lfcn_neuropraxia", "pudendal_neuropraxia", "femoral_nerve_palsy", "sciatic_nerve_palsy",
  "deep_vein_thrombosis", "pulmonary_embolism", "superficial_infection", "deep_infection",
  "instability_dislocation", "femoral_neck_fracture", "conversion_to_arthroplasty", "other"
)
# MCID and PASS (AJSM 2020, doi 10.1177/0363546520902736); visits before 1y use the 1y values; NAHS has none.
THRESHOLDS <- list(
  mhhs = list(`1y` = c(6.9, 84.8), `2y` = c(9.2, 83.3), `5y` = c(11.4, 83.6)),
  ihot12 = list(`1y` = c(15.1, 69.1), `2y` = c(13.9, 72.2), `5y` = c(15.1, 74.3)),
  hosAdl = list(`1y` = c(8.8, 89.7), `2y` = c(9.7, 88.2), `5y` = c(10.2, 99.2)),
  hosSport = list(`1y` = c(13.9, 72.2), `2y` = c(14.3, 76.4), `5y` = c(15.2, 80.9))
)

paths <- character(0)
values <- character(0)
out <- function(path, value) {
  paths <<- c(paths, path)
  values <<- c(values, if (is.null(value) || is.na(value)) "NA" else sprintf("%.17g", value))
}
num <- function(x) as.numeric(x)

# Wilson score interval, exact 0 and 1 at the boundaries.
wilson <- function(x, n) {
  if (n == 0) return(c(NA, NA, NA))
  p <- x / n
  centre <- (p + Z^2 / (2 * n)) / (1 + Z^2 / n)
  half <- Z * sqrt(p * (1 - p) / n + Z^2 / (4 * n^2)) / (1 + Z^2 / n)
  c(p, if (x == 0) 0 else max(0, centre - half), if (x == n) 1 else min(1, centre + half))
}
proportion <- function(prefix, x, n) {
  w <- wilson(x, n)
  out(paste0(prefix, "/numerator"), x)
  out(paste0(prefix, "/denominator"), n)
  out(paste0(prefix, "/rate"), w[1])
  out(paste0(prefix, "/lower95"), w[2])
  out(paste0(prefix, "/upper95"), w[3])
}

# --- Outcomes, grouped by release location ---------------------------------------------------------
for (key in sort(unique(cases$releaseLocation))) {
  g <- cases[cases$releaseLocation == key, ]
  n <- nrow(g)
  prefix <- paste0("outcomes/", key)
  out(paste0(prefix, "/cases"), n)
  # Completeness: of the cases whose window had closed at the export date (the report's today), those
  # with a visit in it.
  for (t in WINDOWS) {
    closed <- as.logical(g[[paste0("windowClosed_", t)]])
    seen <- closed & !is.na(num(g[[paste0("visitDay_", t)]]))
    out(paste0(prefix, "/followUpCompleteness/", t, "/due"), sum(closed))
    out(paste0(prefix, "/followUpCompleteness/", t, "/seen"), sum(seen))
    out(paste0(prefix, "/followUpCompleteness/", t, "/rate"), if (sum(closed) > 0) sum(seen) / sum(closed) else NA)
  }
  k <- complications[complications$exportId %in% g$exportId, ]
  for (type in COMPLICATION_TYPES) {
    out(paste0(prefix, "/complications/", type, "/count"), sum(k$type == type))
    proportion(paste0(prefix, "/complications/", type), sum(as.logical(g[[paste0("complication_", type)]])), n)
  }
  grade <- num(g$maxBrookerGrade)
  for (b in 1:4) out(paste0(prefix, "/heterotopicOssification/byBrookerGrade/", b), sum(grade == b, na.rm = TRUE))
  ho <- as.logical(g$complication_heterotopic_ossification)
  for (p in sort(unique(g$hoProphylaxis))) {
    proportion(paste0(prefix, "/heterotopicOssification/byProphylaxis/", p), sum(ho[g$hoProphylaxis == p]), sum(g$hoProphylaxis == p))
  }
  proportion(paste0(prefix, "/recurrence"), sum(!is.na(num(g$recurrenceDay))), n)
  causes <- k[k$type == "recurrent_snapping", ]
  for (cause in sort(unique(causes$recurrenceCause))) {
    out(paste0(prefix, "/recurrence/byCause/", cause), length(unique(causes$exportId[causes$recurrenceCause == cause])))
  }
  proportion(paste0(prefix, "/reoperation"), sum(!is.na(num(g$reoperationDay))), n)
  proportion(paste0(prefix, "/conversionToArthroplasty"), sum(!is.na(num(g$conversionDay))), n)
  for (i in INSTRUMENTS) {
    base <- num(g[[paste0(i, "_preop")]])
    out(paste0(prefix, "/proms/", i, "/baseline/n"), sum(!is.na(base)))
    out(paste0(prefix, "/proms/", i, "/baseline/mean"), if (any(!is.na(base))) mean(base, na.rm = TRUE) else NA)
    for (t in TIMEPOINTS) {
      s <- num(g[[paste0(i, "_", t)]])
      change <- s - base
      tp <- paste0(prefix, "/proms/", i, "/timepoints/", t)
      out(paste0(tp, "/n"), sum(!is.na(s)))
      out(paste0(tp, "/mean"), if (any(!is.na(s))) mean(s, na.rm = TRUE) else NA)
      out(paste0(tp, "/pairedN"), sum(!is.na(change)))
      out(paste0(tp, "/meanChange"), if (any(!is.na(change))) mean(change, na.rm = TRUE) else NA)
      th <- THRESHOLDS[[i]]
      if (is.null(th)) {
        out(paste0(tp, "/mcid"), NA)
        out(paste0(tp, "/pass"), NA)
      } else {
        limits <- th[[if (t %in% c("6w", "3m", "6m")) "1y" else t]]
        proportion(paste0(tp, "/mcid"), sum(change >= limits[1], na.rm = TRUE), sum(!is.na(change)))
        proportion(paste0(tp, "/pass"), sum(s >= limits[2], na.rm = TRUE), sum(!is.na(s)))
      }
    }
  }
}

# --- Survival: Kaplan–Meier per release location, log-rank between them ---------------------------
for (endpoint in c("recurrence", "reoperation", "conversion")) {
  eventDay <- num(cases[[paste0(endpoint, "Day")]])
  time <- ifelse(is.na(eventDay), num(cases$lastContactDay), eventDay)
  status <- as.integer(!is.na(eventDay))
  group <- cases$releaseLocation
  for (key in sort(unique(group))) {
    prefix <- paste0("survival/", endpoint, "/", key)
    sel <- group == key
    out(paste0(prefix, "/cases"), sum(sel))
    out(paste0(prefix, "/events"), sum(status[sel]))
    fit <- survfit(Surv(time[sel], status[sel]) ~ 1, conf.type = "log-log")
    for (j in seq_along(fit$time)) {
      row <- paste0(prefix, "/curve/", fit$time[j])
      out(paste0(row, "/atRisk"), fit$n.risk[j])
      out(paste0(row, "/events"), fit$n.event[j])
      out(paste0(row, "/censored"), fit$n.censor[j])
      out(paste0(row, "/survival"), fit$surv[j])
      out(paste0(row, "/lower95"), fit$lower[j])
      out(paste0(row, "/upper95"), fit$upper[j])
    }
  }
  if (length(unique(group)) > 1 && sum(status) > 0) {
    test <- survdiff(Surv(time, status) ~ group)
    df <- length(unique(group)) - 1
    out(paste0("survival/", endpoint, "/logRank/chiSquare"), test$chisq)
    out(paste0("survival/", endpoint, "/logRank/df"), df)
    out(paste0("survival/", endpoint, "/logRank/pValue"), pchisq(test$chisq, df, lower.tail = FALSE))
  }
}

# --- Funnel: evaluable cases per surgeon, exact binomial limits with interpolation ------------------
funnelLimit <- function(n, theta, p) {
  cdf <- pbinom(0:n, n, theta)
  r <- which(cdf >= p)[1] - 1
  below <- if (r == 0) 0 else cdf[r]
  alpha <- if (cdf[r + 1] == below) 0 else (cdf[r + 1] - p) / (cdf[r + 1] - below)
  min(1, max(0, (r - alpha) / n))
}
HORIZONS <- list(
  complication_90d = c("firstComplicationDay", 90),
  recurrence_1y = c("recurrenceDay", 365),
  reoperation_1y = c("reoperationDay", 365)
)
for (outcome in names(HORIZONS)) {
  day <- num(cases[[HORIZONS[[outcome]][1]]])
  horizon <- as.numeric(HORIZONS[[outcome]][2])
  event <- !is.na(day) & day <= horizon
  evaluable <- event | num(cases$lastContactDay) >= horizon
  theta <- sum(event & evaluable) / sum(evaluable)
  prefix <- paste0("funnel/", outcome)
  out(paste0(prefix, "/target"), theta)
  out(paste0(prefix, "/totals/cases"), sum(evaluable))
  out(paste0(prefix, "/totals/events"), sum(event & evaluable))
  for (surgeon in sort(unique(cases$surgeonExportId))) {
    sel <- cases$surgeonExportId == surgeon & evaluable
    n <- sum(sel)
    if (n == 0) next
    x <- sum(event[sel])
    s <- paste0(prefix, "/surgeons/", surgeon)
    out(paste0(s, "/cases"), n)
    out(paste0(s, "/events"), x)
    out(paste0(s, "/rate"), x / n)
    out(paste0(s, "/limits/lower95"), funnelLimit(n, theta, 0.025))
    out(paste0(s, "/limits/upper95"), funnelLimit(n, theta, 0.975))
    out(paste0(s, "/limits/lower998"), funnelLimit(n, theta, 0.001))
    out(paste0(s, "/limits/upper998"), funnelLimit(n, theta, 0.999))
  }
  # The curve for drawing: every n up to 100, then about 200 steps to the largest surgeon's n.
  top <- max(10, sapply(unique(cases$surgeonExportId), function(s) sum(cases$surgeonExportId == s & evaluable)))
  step <- max(1, ceiling((top - 100) / 200))
  ns <- sort(unique(c(seq_len(min(top, 100)), if (top >= 100) seq(100, top, by = step), top)))
  for (n in ns) {
    row <- paste0(prefix, "/curve/", n)
    out(paste0(row, "/lower95"), funnelLimit(n, theta, 0.025))
    out(paste0(row, "/upper95"), funnelLimit(n, theta, 0.975))
    out(paste0(row, "/lower998"), funnelLimit(n, theta, 0.001))
    out(paste0(row, "/upper998"), funnelLimit(n, theta, 0.999))
  }
}

write.csv(data.frame(path = paths, value = values), args[3], row.names = FALSE, quote = TRUE)

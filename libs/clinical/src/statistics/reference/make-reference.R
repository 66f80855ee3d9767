# Reference values for the statistics core, computed once with R's survival package and base R.
# Run: Rscript libs/clinical/src/statistics/reference/make-reference.R > libs/clinical/src/statistics/reference/reference.json
# (Debian: apt-get install r-base-core r-cran-survival). The test suite reads the JSON; it does not need R.
suppressMessages(library(survival))

num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
ints <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
bools <- function(x) paste0("[", paste(ifelse(x, "true", "false"), collapse = ","), "]")
obj <- function(...) { kv <- list(...); paste0("{", paste(sprintf('"%s":%s', names(kv), unlist(kv)), collapse = ","), "}") }

# --- Kaplan-Meier (log-log interval) -------------------------------------------------------
km_case <- function(name, time, status) {
  fit <- survfit(Surv(time, status) ~ 1, conf.type = "log-log")
  obj(name = sprintf('"%s"', name), time = ints(time), event = bools(status == 1),
      day = ints(fit$time), atRisk = ints(fit$n.risk), events = ints(fit$n.event), censored = ints(fit$n.censor),
      survival = arr(fit$surv), lower95 = arr(fit$lower), upper95 = arr(fit$upper))
}
set.seed(20261128)
rt <- sample(1:720, 60, replace = TRUE); rs <- rbinom(60, 1, 0.35)
km <- c(
  # ties of events, and censorings on an event day (censored after the events of that day)
  km_case("ties_and_censoring_at_event_day", c(1, 2, 2, 2, 3, 5, 5, 5, 8, 8, 9, 12, 12, 15, 20), c(1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0)),
  km_case("no_events", c(3, 10, 10, 40), c(0, 0, 0, 0)),
  km_case("single_case_event", c(30), c(1)),
  km_case("single_case_censored", c(30), c(0)),
  km_case("all_fail", c(4, 4, 9), c(1, 1, 1)),
  km_case("random_60", rt, rs)
)

# --- Log-rank (survdiff) -------------------------------------------------------------------
lr_case <- function(name, time, status, group) {
  d <- survdiff(Surv(time, status) ~ group)
  df <- length(d$n) - 1
  obj(name = sprintf('"%s"', name), time = ints(time), event = bools(status == 1), group = ints(group),
      chiSquare = num(d$chisq), df = num(df), pValue = num(pchisq(d$chisq, df, lower.tail = FALSE)),
      observed = arr(d$obs), expected = arr(d$exp))
}
g2 <- rep(1:2, 30)
g3 <- rep(1:3, 20)
lr <- c(
  lr_case("two_groups_ties", c(1, 2, 2, 3, 5, 5, 8, 8, 9, 12, 1, 2, 4, 4, 6, 7, 9, 10, 11, 12),
          c(1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0), rep(1:2, each = 10)),
  lr_case("one_group_without_events", c(5, 8, 12, 20, 3, 9, 15, 30), c(1, 1, 0, 1, 0, 0, 0, 0), rep(1:2, each = 4)),
  lr_case("random_two_groups", rt, rs, g2),
  lr_case("random_three_groups", rt, rs, g3)
)

# --- Wilson intervals (prop.test without continuity correction is the Wilson score interval) ----
wilson_case <- function(x, n) {
  ci <- prop.test(x, n, correct = FALSE)$conf.int
  obj(x = num(x), n = num(n), lower95 = num(ci[1]), upper95 = num(ci[2]))
}
wl <- c(wilson_case(0, 1), wilson_case(1, 1), wilson_case(0, 20), wilson_case(3, 20), wilson_case(20, 20), wilson_case(7, 113), wilson_case(512, 10000))

# --- Funnel limits: Spiegelhalter's interpolated exact binomial limits -----------------------
limit <- function(n, theta, p) {
  r <- qbinom(p, n, theta)  # the smallest r with P(X <= r) >= p
  up <- pbinom(r, n, theta); down <- pbinom(r - 1, n, theta)
  alpha <- if (up == down) 0 else (up - p) / (up - down)
  # A rate lies in [0, 1]: where the formula falls outside (r = 0 with alpha > 0), the limit is the bound.
  max(0, min(1, (r - alpha) / n))
}
funnel_case <- function(n, theta) {
  obj(n = num(n), theta = num(theta), lower95 = num(limit(n, theta, 0.025)), upper95 = num(limit(n, theta, 0.975)),
      lower998 = num(limit(n, theta, 0.001)), upper998 = num(limit(n, theta, 0.999)))
}
fl <- c(funnel_case(1, 0.05), funnel_case(10, 0.05), funnel_case(50, 0.08), funnel_case(200, 0.05), funnel_case(1000, 0.123), funnel_case(5000, 0.02))

# --- Chi-square upper tails -------------------------------------------------------------------
chi_case <- function(x, df) obj(x = num(x), df = num(df), p = num(pchisq(x, df, lower.tail = FALSE)))
ch <- c(chi_case(0.001, 1), chi_case(3.841458820694124, 1), chi_case(10.5, 1), chi_case(40, 1), chi_case(2.5, 2), chi_case(7.8, 3), chi_case(0.3, 4))

# --- Bernoulli CUSUM (Steiner 2000), computed independently ------------------------------------
cusum_case <- function(y, p0, R, h) {
  w1 <- log(R) - log(1 - p0 + R * p0); w0 <- -log(1 - p0 + R * p0)
  x <- 0; v <- numeric(length(y)); s <- logical(length(y))
  for (i in seq_along(y)) { x <- max(0, x + ifelse(y[i] == 1, w1, w0)); v[i] <- x; s[i] <- x >= h; if (s[i]) x <- 0 }
  obj(y = ints(y), p0 = num(p0), oddsRatio = num(R), h = num(h), value = arr(v), signal = bools(s))
}
set.seed(7); yy <- rbinom(80, 1, 0.2)
cs <- c(cusum_case(yy, 0.08, 2, 4.5), cusum_case(c(1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1), 0.1, 3, 2.5))

cat(sprintf('{"generatedBy":"R %s, survival %s","kaplanMeier":[%s],"logRank":[%s],"wilson":[%s],"funnel":[%s],"chiSquare":[%s],"cusum":[%s]}\n',
  paste(R.version$major, R.version$minor, sep = "."), as.character(packageVersion("survival")),
  paste(km, collapse = ","), paste(lr, collapse = ","), paste(wl, collapse = ","), paste(fl, collapse = ","),
  paste(ch, collapse = ","), paste(cs, collapse = ",")))

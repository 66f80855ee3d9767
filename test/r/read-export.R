# Reads an ILR CSV export the two ways an analyst would and prints what R made of each column:
# base R's read.csv with its defaults, and the typed reader snippet of the data dictionary (colClasses).
# Used by test/e2e/export-readers.e2e.spec.ts.
# Usage: Rscript read-export.R <csv file> <file holding the dictionary's R snippet> <variable it assigns>
# Prints tab-separated lines: reader, column, class, NA count, sum of the non-NA values (numeric and
# logical columns, 17 significant digits; NA otherwise).
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 3)
default <- read.csv(args[1])
eval(parse(file = args[2]))
typed <- get(args[3])
stopifnot(nrow(default) == nrow(typed), identical(names(default), names(typed)))
describe <- function(reader, frame) {
  for (name in names(frame)) {
    x <- frame[[name]]
    total <- if (is.numeric(x) || is.logical(x)) format(sum(x, na.rm = TRUE), digits = 17) else "NA"
    cat(reader, name, class(x)[1], sum(is.na(x)), total, sep = "\t")
    cat("\n")
  }
}
describe("default", default)
describe("typed", typed)

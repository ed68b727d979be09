# Reference values for tests/test_multilevel_reference.py, computed once with R's lme4.
# Run from this folder:  Rscript lme4_reference.R > lme4_reference.csv
# (R 4 with lme4; on Debian: apt-get install r-base-core r-cran-lme4). The tests read the
# committed CSV and do not need R.
suppressPackageStartupMessages(library(lme4))
d <- read.csv("ratings.csv", stringsAsFactors = TRUE)
out <- data.frame()
emit <- function(model, name) {
  tau2 <- as.numeric(VarCorr(model)$region[1, 1])
  sigma2 <- sigma(model)^2
  overall <- mean(model.matrix(model) %*% fixef(model))
  re <- ranef(model, condVar = TRUE)$region
  cv <- as.numeric(attr(re, "postVar")[1, 1, ])
  rows <- data.frame(model = name, quantity = c("tau2", "sigma2", "overall"),
                     region = "", value = c(tau2, sigma2, overall))
  rows <- rbind(rows, data.frame(model = name, quantity = "estimate", region = rownames(re),
                                 value = overall + re[, 1]))
  rows <- rbind(rows, data.frame(model = name, quantity = "conditional_sd",
                                 region = rownames(re), value = sqrt(cv)))
  out <<- rbind(out, rows)
}
emit(lmer(rating ~ age_band + gender + (1 | region), data = d, REML = TRUE), "case_mix")
emit(lmer(rating ~ 1 + (1 | region), data = d, REML = TRUE), "empty")
cat(sprintf("# %s, lme4 %s\n", R.version.string, packageVersion("lme4")))
write.csv(transform(out, value = sprintf("%.8f", value)), stdout(), row.names = FALSE,
          quote = FALSE)

# Reference values for the yes/no comparison (tests/test_multilevel_reference.py), computed once
# with R's lme4 on the simulated studies of simulate_binary.py (true tau2 = 0.25).
# Run from this folder:  Rscript glmer_reference.R > glmer_reference.csv
# (on Debian: apt-get install r-cran-lme4). The tests read the committed CSV and need no R.
suppressPackageStartupMessages(library(lme4))
d <- read.csv("binary_simulated.csv", stringsAsFactors = FALSE)
# the largest age band as reference category, as the workbench does
d$age_band <- relevel(factor(d$age_band), ref = "age_25_54")
out <- data.frame()
for (rep in sort(unique(d$replicate))) {
  s <- d[d$replicate == rep, ]
  m <- glmer(y ~ age_band + (1 | region), data = s, family = binomial, nAGQ = 9,
             control = glmerControl(optimizer = "bobyqa"))
  tau2 <- as.numeric(VarCorr(m)$region[1, 1])
  re <- ranef(m, condVar = TRUE)$region
  sd <- sqrt(as.numeric(attr(re, "postVar")[1, 1, ]))
  group <- ifelse(re[, 1] - 1.959964 * sd > 0, "above",
                  ifelse(re[, 1] + 1.959964 * sd < 0, "below", "average"))
  out <- rbind(out, data.frame(replicate = rep, quantity = "tau2", region = "",
                               value = sprintf("%.8f", tau2)))
  out <- rbind(out, data.frame(replicate = rep, quantity = "u", region = rownames(re),
                               value = sprintf("%.8f", re[, 1])))
  out <- rbind(out, data.frame(replicate = rep, quantity = "conditional_sd",
                               region = rownames(re), value = sprintf("%.8f", sd)))
  out <- rbind(out, data.frame(replicate = rep, quantity = "group", region = rownames(re),
                               value = group))
}
cat(sprintf("# %s, lme4 %s, glmer(y ~ age_band + (1 | region), binomial, nAGQ = 9)\n",
            R.version.string, packageVersion("lme4")))
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)

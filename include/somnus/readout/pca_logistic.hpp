// SPDX-License-Identifier: MIT
// Massey et al. 2026's readout, their sklearn pipeline to sklearn's rules:
// StandardScaler -> PCA(0.95, svd_solver="full", whiten) -> multinomial
// LogisticRegression(lbfgs, C=1). The SVD is LAPACK's (xtensor-blas) and the
// optimiser liblbfgs's, well-kept libraries. Guide: docs/readout.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <lbfgs.h>
#include <xtensor-blas/xlinalg.hpp>

#include "../core/error.hpp"
#include "../core/tensor.hpp"

namespace somnus {

/// An SVD fixes each principal axis only up to its sign; sklearn's svd_flip
/// picks one. Predictions do not depend on it, transforms and components do.
enum class pca_sign {
    components,  ///< each component's largest-|.| loading positive: sklearn >= 1.5 (u_based_decision=False)
    scores,      ///< each component's largest-|.| score over the fit set positive: sklearn <= 1.4
};

/// The pipeline's settings, named after sklearn's and with its defaults,
/// except `tolerance` (see there) and `sign` (sklearn 1.6's rule, the
/// authors' version).
struct pca_logistic_params {
    bool standardize = true;              ///< StandardScaler(with_mean=True, with_std=True) first
    double variance_kept = 0.95;          ///< PCA(n_components=0.95); 1 keeps every component
    bool whiten = true;                   ///< PCA(whiten=True)
    double inverse_regularisation = 1.0;  ///< LogisticRegression's C: penalty ||W||_F^2 / (2 C)
    int max_iterations = 1000;            ///< max_iter (L-BFGS iterations)
    /// Stop when ||gradient|| <= tolerance * max(1, ||w||), the objective
    /// taken per sample (liblbfgs's epsilon). Far tighter than sklearn's
    /// tol=1e-4, with which scipy stops on its relative-decrease test with
    /// decision values about 1e-3 from the optimum: the optimum is unique, so
    /// a tight one gives the predictions sklearn's approaches. In double
    /// precision the line search usually runs out of digits first, near
    /// ||gradient|| ~ 1e-9, decision values within ~1e-6 of the optimum;
    /// that counts as converged (see logistic_report::converged).
    double tolerance = 1e-10;
    pca_sign sign = pca_sign::components;
};

/// How the logistic regression's L-BFGS run ended.
struct logistic_report {
    int iterations = 0;      ///< L-BFGS iterations
    int evaluations = 0;     ///< objective and gradient evaluations
    /// At the returned weights, ||gradient|| <= tolerance * max(1, ||w||);
    /// or the line search stopped because the objective no longer decreases
    /// in double precision (LBFGSERR_ROUNDING_ERROR) with ||gradient|| <=
    /// sqrt(tolerance) * max(1, ||w||), the guard against a stop far away.
    bool converged = false;
    int lbfgs_status = 0;    ///< lbfgs()'s return code (0: the tolerance was met)
    double objective = 0.0;  ///< per sample: mean log loss + ||W||^2 / (2 C n)
    double gradient_norm = 0.0;
};

namespace detail {

inline void require_finite_matrix(const xt::xtensor<double, 2>& x, const char* where)
{
    for (std::size_t i = 0; i < x.shape()[0]; ++i)
        for (std::size_t j = 0; j < x.shape()[1]; ++j)
            require<data_error>(std::isfinite(x(i, j)), "{}: X({}, {}) = {} is not finite", where, i, j, x(i, j));
}

inline void require_features(const xt::xtensor<double, 2>& x, std::size_t features, const char* where)
{
    require(features > 0, "{}: not fitted (call fit first)", where);
    require<data_error>(x.shape()[1] == features, "{}: X has {} features, the fit had {}", where, x.shape()[1],
                        features);
    require_finite_matrix(x, where);
}

/// sklearn's rule for a fractional n_components: one more than the number of
/// leading components whose cumulative ratio is <= kept (numpy's
/// searchsorted(cumsum, kept, side='right') + 1), at most every component.
inline std::size_t components_for_variance(std::span<const double> ratio, double kept)
{
    if (kept >= 1.0) return ratio.size();
    double cumulative = 0.0;
    std::size_t below = 0;
    for (const double r : ratio) {
        cumulative += r;
        if (cumulative <= kept) ++below;
        else break;
    }
    return std::min(below + 1, ratio.size());
}

} // namespace detail

/// sklearn's StandardScaler: per-feature mean and population standard
/// deviation (ddof 0); a feature whose variance is indistinguishable from 0
/// (sklearn's _is_constant_feature bound) gets scale 1.
class standard_scaler {
public:
    void fit(const xt::xtensor<double, 2>& x)
    {
        const std::size_t n = x.shape()[0], d = x.shape()[1];
        detail::require<data_error>(n > 0 && d > 0, "standard_scaler::fit: X is {} x {}", n, d);
        detail::require_finite_matrix(x, "standard_scaler::fit");
        mean_ = xt::zeros<double>({d});
        scale_ = xt::ones<double>({d});
        const double count = double(n), eps = std::numeric_limits<double>::epsilon();
        for (std::size_t j = 0; j < d; ++j) {
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i) sum += x(i, j);
            const double mean = sum / count;
            // sklearn's two-pass variance with its correction term.
            double correction = 0.0, squares = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double t = x(i, j) - mean;
                correction += t;
                squares += t * t;
            }
            const double var = (squares - correction * correction / count) / count;
            const double bound = count * eps * var + (count * mean * eps) * (count * mean * eps);
            mean_(j) = mean;
            scale_(j) = var <= bound ? 1.0 : std::sqrt(var);
        }
    }

    xt::xtensor<double, 2> transform(const xt::xtensor<double, 2>& x) const
    {
        detail::require_features(x, mean_.size(), "standard_scaler::transform");
        xt::xtensor<double, 2> out = xt::empty<double>(x.shape());
        for (std::size_t i = 0; i < x.shape()[0]; ++i)
            for (std::size_t j = 0; j < x.shape()[1]; ++j) out(i, j) = (x(i, j) - mean_(j)) / scale_(j);
        return out;
    }

    const xt::xtensor<double, 1>& mean() const { return mean_; }
    const xt::xtensor<double, 1>& scale() const { return scale_; }

private:
    xt::xtensor<double, 1> mean_ = xt::zeros<double>({0});
    xt::xtensor<double, 1> scale_ = xt::zeros<double>({0});
};

/// sklearn's PCA with svd_solver="full": centre, SVD (LAPACK gesdd, as scipy),
/// explained variance S^2 / (n - 1), keep components by the variance rule,
/// and whiten by dividing the projections by sqrt(explained variance).
class principal_components {
public:
    void fit(const xt::xtensor<double, 2>& x, double variance_kept = 0.95, bool whiten = true,
             pca_sign sign = pca_sign::components)
    {
        const std::size_t n = x.shape()[0], d = x.shape()[1];
        detail::require<data_error>(n >= 2 && d > 0, "principal_components::fit: X is {} x {}; at least 2 samples are needed", n, d);
        detail::require<config_error>(variance_kept > 0.0 && variance_kept <= 1.0,
                                      "principal_components::fit: variance_kept = {} is not in (0, 1]", variance_kept);
        detail::require_finite_matrix(x, "principal_components::fit");
        mean_ = xt::zeros<double>({d});
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < d; ++j) mean_(j) += x(i, j);
        mean_ /= double(n);
        xt::xtensor<double, 2> centred = x - xt::view(mean_, xt::newaxis(), xt::all());

        auto [u_svd, s_svd, vt_svd] = xt::linalg::svd(centred, false, true);
        xt::xtensor<double, 2> u = u_svd, vt = vt_svd;
        xt::xtensor<double, 1> s = s_svd;
        const std::size_t k = s.size();
        for (std::size_t c = 0; c < k; ++c) {
            // svd_flip: the sign of the first entry of largest magnitude (numpy's argmax).
            double pick = 0.0;
            if (sign == pca_sign::scores) {
                for (std::size_t i = 0; i < n; ++i)
                    if (std::abs(u(i, c)) > std::abs(pick)) pick = u(i, c);
            } else {
                for (std::size_t j = 0; j < d; ++j)
                    if (std::abs(vt(c, j)) > std::abs(pick)) pick = vt(c, j);
            }
            if (pick < 0.0) xt::row(vt, static_cast<std::ptrdiff_t>(c)) *= -1.0;
        }

        std::vector<double> variance(k), ratio(k);
        double total = 0.0;
        for (std::size_t c = 0; c < k; ++c) {
            variance[c] = s(c) * s(c) / double(n - 1);
            total += variance[c];
        }
        detail::require<data_error>(total > 0.0, "principal_components::fit: every feature is constant over the {} samples", n);
        for (std::size_t c = 0; c < k; ++c) ratio[c] = variance[c] / total;
        const std::size_t m = detail::components_for_variance(ratio, variance_kept);

        components_ = xt::view(vt, xt::range(0, m), xt::all());
        explained_variance_ = xt::empty<double>({m});
        explained_variance_ratio_ = xt::empty<double>({m});
        for (std::size_t c = 0; c < m; ++c) {
            explained_variance_(c) = variance[c];
            explained_variance_ratio_(c) = ratio[c];
        }
        // sklearn >= 1.5 divides by at least machine epsilon, so a component of
        // zero variance (variance_kept = 1 on rank-deficient data) stays finite.
        divisor_ = xt::ones<double>({m});
        if (whiten)
            for (std::size_t c = 0; c < m; ++c)
                divisor_(c) = std::max(std::sqrt(explained_variance_(c)), std::numeric_limits<double>::epsilon());
    }

    /// Projections on the kept components, [sample][component].
    xt::xtensor<double, 2> transform(const xt::xtensor<double, 2>& x) const
    {
        detail::require_features(x, mean_.size(), "principal_components::transform");
        const std::size_t n = x.shape()[0], d = x.shape()[1], m = components_.shape()[0];
        xt::xtensor<double, 2> out = xt::empty<double>({n, m});
        std::vector<double> row(d);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < d; ++j) row[j] = x(i, j) - mean_(j);
            for (std::size_t c = 0; c < m; ++c) {
                const double* v = &components_(c, 0);
                double dot = 0.0;
                for (std::size_t j = 0; j < d; ++j) dot += row[j] * v[j];
                out(i, c) = dot / divisor_(c);
            }
        }
        return out;
    }

    std::size_t n_components() const { return components_.shape()[0]; }
    /// [component][feature], unit rows, in decreasing order of variance.
    const xt::xtensor<double, 2>& components() const { return components_; }
    const xt::xtensor<double, 1>& explained_variance() const { return explained_variance_; }
    const xt::xtensor<double, 1>& explained_variance_ratio() const { return explained_variance_ratio_; }
    const xt::xtensor<double, 1>& mean() const { return mean_; }

private:
    xt::xtensor<double, 1> mean_ = xt::zeros<double>({0});
    xt::xtensor<double, 2> components_ = xt::zeros<double>({0, 0});
    xt::xtensor<double, 1> explained_variance_ = xt::zeros<double>({0});
    xt::xtensor<double, 1> explained_variance_ratio_ = xt::zeros<double>({0});
    xt::xtensor<double, 1> divisor_ = xt::zeros<double>({0});
};

/// Multinomial logistic regression, sklearn's objective: over samples i,
/// sum -log softmax(W z_i + b)[y_i] + ||W||_F^2 / (2 C), the intercept b
/// unpenalised, minimised (divided by n) by liblbfgs from zero weights.
class multinomial_logistic {
public:
    /// z: [sample][feature]; class_index: each sample's class in 0..n_classes-1.
    logistic_report fit(const xt::xtensor<double, 2>& z, std::span<const int> class_index, std::size_t n_classes,
                        double inverse_regularisation = 1.0, int max_iterations = 1000, double tolerance = 1e-10)
    {
        const std::size_t n = z.shape()[0], m = z.shape()[1];
        detail::require<data_error>(n > 0 && class_index.size() == n,
                                    "multinomial_logistic::fit: {} samples but {} labels", n, class_index.size());
        detail::require<config_error>(n_classes >= 2, "multinomial_logistic::fit: n_classes = {}; at least 2 are needed", n_classes);
        detail::require<config_error>(inverse_regularisation > 0.0 && std::isfinite(inverse_regularisation),
                                      "multinomial_logistic::fit: inverse_regularisation (C) = {} is not positive and finite",
                                      inverse_regularisation);
        detail::require<config_error>(max_iterations >= 1, "multinomial_logistic::fit: max_iterations = {} is below 1", max_iterations);
        detail::require<config_error>(tolerance > 0.0, "multinomial_logistic::fit: tolerance = {} is not positive", tolerance);
        detail::require_finite_matrix(z, "multinomial_logistic::fit");
        for (std::size_t i = 0; i < n; ++i)
            detail::require<data_error>(class_index[i] >= 0 && std::size_t(class_index[i]) < n_classes,
                                        "multinomial_logistic::fit: class index {} of sample {} is not below {}",
                                        class_index[i], i, n_classes);

        problem p{z, class_index, n_classes, 1.0 / inverse_regularisation};
        const int n_vars = int(n_classes * (m + 1));
        lbfgsfloatval_t* w = lbfgs_malloc(n_vars);
        detail::require<config_error>(w != nullptr, "multinomial_logistic::fit: cannot allocate {} weights", n_vars);
        std::fill(w, w + n_vars, 0.0);
        lbfgs_parameter_t settings;
        lbfgs_parameter_init(&settings);
        settings.m = 10;  // scipy's L-BFGS-B default (maxcor)
        settings.epsilon = tolerance;
        settings.max_iterations = max_iterations;
        lbfgsfloatval_t fx = 0.0;
        logistic_report report;
        report.lbfgs_status = lbfgs(n_vars, w, &fx, &problem::evaluate, &problem::progress, &p, &settings);

        // Judge convergence at the weights returned (after a failed line
        // search liblbfgs returns the last good point), whatever the status.
        std::vector<double> g(std::size_t(n_vars), 0.0);
        report.objective = p.value_and_gradient(w, g.data());
        double gnorm = 0.0, wnorm = 0.0;
        for (int j = 0; j < n_vars; ++j) {
            gnorm += g[std::size_t(j)] * g[std::size_t(j)];
            wnorm += w[j] * w[j];
        }
        report.gradient_norm = std::sqrt(gnorm);
        const double scale = std::max(1.0, std::sqrt(wnorm));
        report.converged = report.gradient_norm <= tolerance * scale ||
                           (report.lbfgs_status == LBFGSERR_ROUNDING_ERROR &&
                            report.gradient_norm <= std::sqrt(tolerance) * scale);
        report.iterations = p.iterations;
        report.evaluations = p.evaluations - 1;
        coefficients_ = xt::empty<double>({n_classes, m});
        intercepts_ = xt::empty<double>({n_classes});
        for (std::size_t k = 0; k < n_classes; ++k) {
            for (std::size_t j = 0; j < m; ++j) coefficients_(k, j) = w[k * m + j];
            intercepts_(k) = w[n_classes * m + k];
        }
        lbfgs_free(w);
        return report;
    }

    /// W z + b per sample, [sample][class].
    xt::xtensor<double, 2> decision_function(const xt::xtensor<double, 2>& z) const
    {
        detail::require_features(z, coefficients_.shape()[1], "multinomial_logistic::decision_function");
        const std::size_t n = z.shape()[0], k_count = intercepts_.size();
        xt::xtensor<double, 2> out = xt::empty<double>({n, k_count});
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < k_count; ++k) out(i, k) = score(&z(i, 0), k);
        return out;
    }

    /// Class index of the largest score (the first on a tie, as numpy's argmax).
    std::vector<int> predict_index(const xt::xtensor<double, 2>& z) const
    {
        const auto scores = decision_function(z);
        std::vector<int> out(scores.shape()[0]);
        for (std::size_t i = 0; i < out.size(); ++i) {
            std::size_t best = 0;
            for (std::size_t k = 1; k < scores.shape()[1]; ++k)
                if (scores(i, k) > scores(i, best)) best = k;
            out[i] = int(best);
        }
        return out;
    }

    const xt::xtensor<double, 2>& coefficients() const { return coefficients_; }  ///< W, [class][feature]
    const xt::xtensor<double, 1>& intercepts() const { return intercepts_; }      ///< b, [class]

private:
    double score(const double* zi, std::size_t k) const
    {
        const std::size_t m = coefficients_.shape()[1];
        const double* wk = &coefficients_(k, 0);
        double s = intercepts_(k);
        for (std::size_t j = 0; j < m; ++j) s += wk[j] * zi[j];
        return s;
    }

    // The objective divided by n, so that the tolerance means the same for
    // any sample count; variables are W row-major then b.
    struct problem {
        const xt::xtensor<double, 2>& z;
        std::span<const int> y;
        std::size_t classes;
        double inv_c;
        std::vector<double> scores = std::vector<double>(classes);
        int iterations = 0;
        int evaluations = 0;

        double value_and_gradient(const double* w, double* g)
        {
            ++evaluations;
            const std::size_t n = z.shape()[0], m = z.shape()[1], wsize = classes * m;
            const double* b = w + wsize;
            double* gb = g + wsize;
            std::fill(g, g + wsize + classes, 0.0);
            double loss = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double* zi = &z(i, 0);
                double top = -std::numeric_limits<double>::infinity();
                for (std::size_t k = 0; k < classes; ++k) {
                    const double* wk = w + k * m;
                    double s = b[k];
                    for (std::size_t j = 0; j < m; ++j) s += wk[j] * zi[j];
                    scores[k] = s;
                    top = std::max(top, s);
                }
                double sum = 0.0;
                for (std::size_t k = 0; k < classes; ++k) sum += std::exp(scores[k] - top);
                const double log_norm = top + std::log(sum);
                const std::size_t yi = std::size_t(y[i]);
                loss += log_norm - scores[yi];
                for (std::size_t k = 0; k < classes; ++k) {
                    const double r = std::exp(scores[k] - log_norm) - (k == yi ? 1.0 : 0.0);
                    gb[k] += r;
                    double* gk = g + k * m;
                    for (std::size_t j = 0; j < m; ++j) gk[j] += r * zi[j];
                }
            }
            double squares = 0.0;
            for (std::size_t j = 0; j < wsize; ++j) {
                squares += w[j] * w[j];
                g[j] += inv_c * w[j];
            }
            const double per_sample = 1.0 / double(n);
            for (std::size_t j = 0; j < wsize + classes; ++j) g[j] *= per_sample;
            return (loss + 0.5 * inv_c * squares) * per_sample;
        }

        static lbfgsfloatval_t evaluate(void* self, const lbfgsfloatval_t* w, lbfgsfloatval_t* g, int, lbfgsfloatval_t)
        {
            return static_cast<problem*>(self)->value_and_gradient(w, g);
        }

        static int progress(void* self, const lbfgsfloatval_t*, const lbfgsfloatval_t*, lbfgsfloatval_t,
                            lbfgsfloatval_t, lbfgsfloatval_t, lbfgsfloatval_t, int, int k, int)
        {
            static_cast<problem*>(self)->iterations = k;
            return 0;
        }
    };

    xt::xtensor<double, 2> coefficients_ = xt::zeros<double>({0, 0});
    xt::xtensor<double, 1> intercepts_ = xt::zeros<double>({0});
};

/// The whole readout: standardise, PCA (whitened), multinomial logistic
/// regression; labels are any ints, the classes those present in the fit
/// set, sorted (sklearn's classes_).
class pca_logistic {
public:
    explicit pca_logistic(pca_logistic_params p = {}) : p_(p)
    {
        detail::require(p.variance_kept > 0.0 && p.variance_kept <= 1.0, "pca_logistic: variance_kept = {} is not in (0, 1]",
                        p.variance_kept);
        detail::require(p.inverse_regularisation > 0.0 && std::isfinite(p.inverse_regularisation),
                        "pca_logistic: inverse_regularisation (C) = {} is not positive and finite", p.inverse_regularisation);
        detail::require(p.max_iterations >= 1, "pca_logistic: max_iterations = {} is below 1", p.max_iterations);
        detail::require(p.tolerance > 0.0 && std::isfinite(p.tolerance), "pca_logistic: tolerance = {} is not positive",
                        p.tolerance);
    }

    /// x: [sample][feature]; y: one label per sample.
    const logistic_report& fit(const xt::xtensor<double, 2>& x, std::span<const int> y)
    {
        const std::size_t n = x.shape()[0], d = x.shape()[1];
        detail::require<data_error>(n == y.size(), "pca_logistic::fit: X has {} samples but y has {} labels", n, y.size());
        detail::require<data_error>(n >= 2, "pca_logistic::fit: {} sample(s); at least 2 are needed", n);
        detail::require<data_error>(d >= 1, "pca_logistic::fit: X has no features");
        detail::require_finite_matrix(x, "pca_logistic::fit");
        classes_.assign(y.begin(), y.end());
        std::sort(classes_.begin(), classes_.end());
        classes_.erase(std::unique(classes_.begin(), classes_.end()), classes_.end());
        detail::require<data_error>(classes_.size() >= 2, "pca_logistic::fit: every label is {}; at least 2 classes are needed",
                                    classes_.front());
        std::vector<int> index(n);
        for (std::size_t i = 0; i < n; ++i)
            index[i] = int(std::lower_bound(classes_.begin(), classes_.end(), y[i]) - classes_.begin());

        features_ = 0;
        xt::xtensor<double, 2> scaled = x;
        if (p_.standardize) {
            scaler_.fit(x);
            scaled = scaler_.transform(x);
        }
        pca_.fit(scaled, p_.variance_kept, p_.whiten, p_.sign);
        report_ = logistic_.fit(pca_.transform(scaled), index, classes_.size(), p_.inverse_regularisation,
                                p_.max_iterations, p_.tolerance);
        features_ = d;
        return report_;
    }

    /// The classifier's input: standardised, projected, whitened; [sample][component].
    xt::xtensor<double, 2> transform(const xt::xtensor<double, 2>& x) const
    {
        detail::require_features(x, features_, "pca_logistic::transform");
        return pca_.transform(p_.standardize ? scaler_.transform(x) : x);
    }

    /// The logistic regression's scores, [sample][class] in classes() order.
    xt::xtensor<double, 2> decision_function(const xt::xtensor<double, 2>& x) const
    {
        return logistic_.decision_function(transform(x));
    }

    std::vector<int> predict(const xt::xtensor<double, 2>& x) const
    {
        auto out = logistic_.predict_index(transform(x));
        for (auto& k : out) k = classes_[std::size_t(k)];
        return out;
    }

    /// Fraction of samples predicted right; a label absent from the fit set
    /// is always wrong.
    double accuracy(const xt::xtensor<double, 2>& x, std::span<const int> y) const
    {
        detail::require<data_error>(x.shape()[0] == y.size(), "pca_logistic::accuracy: X has {} samples but y has {} labels",
                                    x.shape()[0], y.size());
        detail::require<data_error>(!y.empty(), "pca_logistic::accuracy: no samples");
        const auto predicted = predict(x);
        std::size_t right = 0;
        for (std::size_t i = 0; i < y.size(); ++i) right += predicted[i] == y[i] ? 1 : 0;
        return double(right) / double(y.size());
    }

    bool fitted() const { return features_ > 0; }
    const pca_logistic_params& params() const { return p_; }
    const std::vector<int>& classes() const { return classes_; }
    std::size_t n_components() const { return pca_.n_components(); }
    const xt::xtensor<double, 2>& components() const { return pca_.components(); }
    const xt::xtensor<double, 1>& explained_variance() const { return pca_.explained_variance(); }
    const xt::xtensor<double, 1>& explained_variance_ratio() const { return pca_.explained_variance_ratio(); }
    const logistic_report& report() const { return report_; }
    const standard_scaler& scaler() const { return scaler_; }
    const principal_components& pca() const { return pca_; }
    const multinomial_logistic& logistic() const { return logistic_; }

private:
    pca_logistic_params p_;
    std::size_t features_ = 0;
    std::vector<int> classes_;
    standard_scaler scaler_;
    principal_components pca_;
    multinomial_logistic logistic_;
    logistic_report report_;
};

} // namespace somnus

# SPDX-License-Identifier: MIT
# The scikit-learn reference for readout/pca_logistic.hpp: feature sets shaped
# like Massey et al.'s readout input, run through their sklearn pipeline, and
# written as .npy for tests/readout/sklearn_compare.cpp. Exits 77 (skip) when
# numpy or sklearn is missing. usage: sklearn_reference.py OUT_DIR
import sys
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.extmath import svd_flip
    from scipy import linalg
except ImportError as e:
    print(f"readout_sklearn: skipped: {e} (install python3-sklearn python3-numpy)")
    sys.exit(77)

N_FEATURES, N_CLASSES = 250, 10  # 200 E + 50 I neurons; digits


def prototypes(rng):
    """Per-class firing probabilities per step: some neurons never fire, some
    fire rarely whatever the class, the inhibitory-like ones fire often and
    barely tuned, the rest are class-tuned."""
    proto = np.zeros((N_CLASSES, N_FEATURES))
    kind = rng.permutation(N_FEATURES)
    rare, inhibitory, tuned = kind[40:70], kind[70:100], kind[100:]  # kind[:40] silent
    proto[:, rare] = rng.uniform(1e-4, 6e-4, size=len(rare))
    proto[:, inhibitory] = rng.uniform(0.05, 0.3, size=len(inhibitory)) * rng.uniform(
        0.8, 1.2, size=(N_CLASSES, len(inhibitory)))
    proto[:, tuned] = rng.uniform(0.002, 0.03, size=len(tuned)) * rng.gamma(1.0, 1.0, size=(N_CLASSES, len(tuned)))
    return proto


def rates(rng, proto, labels):
    """Mean rate per neuron over a segment of 1-3 images of 1000 steps, the
    response mixed with another class's and scaled, so classes overlap."""
    x = np.empty((len(labels), N_FEATURES))
    for i, c in enumerate(labels):
        mix = rng.uniform(0.0, 0.7)
        p = ((1.0 - mix) * proto[c] + mix * proto[rng.integers(N_CLASSES)]) * rng.lognormal(0.0, 0.3)
        steps = 1000 * rng.choice([1, 2, 3], p=[0.8, 0.15, 0.05])
        x[i] = rng.binomial(steps, np.clip(p, 0.0, 1.0)) / steps
    return x


# (seed, train samples, test samples, class left out of the training set or -1)
CASES = [(1, 216, 180, -1), (2, 240, 1000, -1), (3, 300, 500, -1), (4, 200, 180, -1),
         (5, 1000, 250, -1), (6, 250, 1000, 3), (7, 150, 180, -1)]


def main():
    out = sys.argv[1]
    u_based = tuple(int(v) for v in sklearn.__version__.split(".")[:2]) < (1, 5)
    for case, (seed, n_train, n_test, missing) in enumerate(CASES):
        rng = np.random.default_rng(seed)
        proto = prototypes(rng)
        classes = [c for c in range(N_CLASSES) if c != missing]
        y_train = rng.choice(classes, size=n_train).astype(np.int32)
        y_test = rng.integers(N_CLASSES, size=n_test).astype(np.int32)
        x_train, x_test = rates(rng, proto, y_train), rates(rng, proto, y_test)

        # Their pipeline, verbatim but for the version-dependent multi_class argument.
        scaler = StandardScaler(with_mean=True, with_std=True)
        xtr_s = scaler.fit_transform(x_train)
        xte_s = scaler.transform(x_test)
        pca = PCA(n_components=0.95, svd_solver="full", whiten=True)
        ztr = pca.fit_transform(xtr_s)
        zte = pca.transform(xte_s)
        clf = LogisticRegression(multi_class="multinomial", solver="lbfgs", max_iter=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # multi_class is deprecated from 1.5
            clf.fit(ztr, y_train)
        pred = clf.predict(zte).astype(np.int32)
        # The same objective minimised tightly, by sklearn's Newton-CG (max
        # |gradient| <= 1e-8): lbfgs above stops on scipy's relative-decrease
        # test with decision values about 1e-3 from this optimum.
        tight = LogisticRegression(multi_class="multinomial", solver="newton-cg", tol=1e-8, max_iter=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarning; LineSearchWarning once already at the optimum
            tight.fit(ztr, y_train)

        prefix = f"{out}/case{case}_"
        np.save(prefix + "x_train.npy", x_train)
        np.save(prefix + "y_train.npy", y_train)
        np.save(prefix + "x_test.npy", x_test)
        np.save(prefix + "y_test.npy", y_test)
        np.save(prefix + "ratio.npy", pca.explained_variance_ratio_.astype(np.float64))
        np.save(prefix + "z_test.npy", zte.astype(np.float64))
        np.save(prefix + "components.npy", pca.components_.astype(np.float64))
        # The components under the other version's sign rule (sklearn 1.5
        # moved svd_flip from U's columns to Vt's rows), from the same SVD.
        u, _, vt = linalg.svd(xtr_s - xtr_s.mean(axis=0), full_matrices=False)
        _, vt = svd_flip(u, vt, u_based_decision=not u_based)
        np.save(prefix + "components_other.npy", vt[:pca.n_components_].astype(np.float64))
        np.save(prefix + "decision.npy", clf.decision_function(zte).astype(np.float64))
        np.save(prefix + "pred.npy", pred)
        np.save(prefix + "decision_tight.npy", tight.decision_function(zte).astype(np.float64))
        np.save(prefix + "pred_tight.npy", tight.predict(zte).astype(np.int32))
        meta = [pca.n_components_, int(clf.n_iter_[0]), int(u_based), seed, int((x_train.std(0) == 0).sum())]
        np.save(prefix + "meta.npy", np.array(meta, dtype=np.int32))
        print(f"case {case}: seed {seed}, {n_train} train / {n_test} test, {len(clf.classes_)} classes, "
              f"{pca.n_components_} components, sklearn {clf.n_iter_[0]} iterations, "
              f"accuracy {np.mean(pred == y_test):.3f}")
    print(f"sklearn {sklearn.__version__}, numpy {np.__version__}: {len(CASES)} cases in {out}")


if __name__ == "__main__":
    main()

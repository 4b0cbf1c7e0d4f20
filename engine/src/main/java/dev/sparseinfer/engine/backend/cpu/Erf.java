package dev.sparseinfer.engine.backend.cpu;

/** The error function, which {@link Math} lacks; needed for exact (erf-based) GELU. */
public final class Erf {

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    private Erf() {}

    /**
     * erf to about 1e-14: the Maclaurin series below |x| = 2.5 (its largest term stays under e^{x^2} ~ 520, so
     * cancellation costs under three digits), and a Lentz continued fraction for erfc beyond.
     */
    public static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 2.5) {
            double x2 = a * a;
            double term = a;
            double sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else {
            r = 1.0 - erfcContinuedFraction(a);
        }
        return x < 0 ? -r : r;
    }

    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated by Lentz's method.
    private static double erfcContinuedFraction(double x) {
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int n = 1; n < 300; n++) {
            double an = n * 0.5;
            d = x + an * d;
            d = d == 0 ? tiny : d;
            c = x + an / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /**
     * Single-precision erf as one rational function, {@code x P(x^2) / Q(x^2)} with P of degree 6 and Q of degree 4
     * in x^2, on x clamped to [-4, 4] (erf(4) rounds to 1 in float). Absolute error below 4e-7 over the whole line
     * (so |result| may exceed 1 by that much), nearly all of it float rounding: the fit itself is within 6e-8. No
     * exp, no branches: vectorised, it is cheaper than the {@code 1 - poly * exp(-x^2)} form, which needs an exp,
     * a separate series near zero and blends between them.
     *
     * <p>The coefficients are a least-squares rational fit to erf on [0, 4] (Sanathanan-Koerner linearisation,
     * reweighted towards the largest errors), rounded to float.
     */
    public static float erfFast(float x) {
        float c = x > CLAMP ? CLAMP : x;
        c = c < -CLAMP ? -CLAMP : c;
        float z = c * c;
        float p = Math.fma(
                Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(z, P6, P5), z, P4), z, P3), z, P2), z, P1), z, P0);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(z, Q4, Q3), z, Q2), z, Q1), z, 1f);
        return c * p / q;
    }

    static final float CLAMP = 4f;
    static final float P0 = 1.128378630e+00f;
    static final float P1 = 2.139129192e-01f;
    static final float P2 = 5.242921785e-02f;
    static final float P3 = 4.291721154e-03f;
    static final float P4 = 1.555069030e-04f;
    static final float P5 = -1.990265446e-06f;
    static final float P6 = 1.921899084e-08f;
    static final float Q1 = 5.229030252e-01f;
    static final float Q2 = 1.207864508e-01f;
    static final float Q3 = 1.554836798e-02f;
    static final float Q4 = 1.097721979e-03f;
}

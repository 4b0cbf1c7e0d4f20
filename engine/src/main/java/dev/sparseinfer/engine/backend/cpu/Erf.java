package dev.sparseinfer.engine.backend.cpu;

/** The error function, which {@link Math} lacks; needed for exact (erf-based) GELU. */
public final class Erf {

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    private Erf() {
    }

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
     * Single-precision erf: Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7 in exact arithmetic), except
     * below |x| = 0.5, where its {@code 1 - poly * exp} form cancels badly in float and the Maclaurin series up to
     * x^11 is used instead (truncation error under 2e-8 there).
     */
    static float erfFast(float x) {
        float a = Math.abs(x);
        if (a < 0.5f) {
            float x2 = x * x;
            return x * (S0 + x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * S5)))));
        }
        float t = 1f / (1f + P * a);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float r = 1f - poly * (float) Math.exp(-a * a);
        return Math.copySign(r, x);
    }

    // Maclaurin coefficients of erf: 2/sqrt(pi) * (-1)^n / (n! (2n+1)).
    static final float S0 = (float) (TWO_OVER_SQRT_PI);
    static final float S1 = (float) (-TWO_OVER_SQRT_PI / 3);
    static final float S2 = (float) (TWO_OVER_SQRT_PI / 10);
    static final float S3 = (float) (-TWO_OVER_SQRT_PI / 42);
    static final float S4 = (float) (TWO_OVER_SQRT_PI / 216);
    static final float S5 = (float) (-TWO_OVER_SQRT_PI / 1320);

    static final float P = 0.3275911f;
    static final float A1 = 0.254829592f;
    static final float A2 = -0.284496736f;
    static final float A3 = 1.421413741f;
    static final float A4 = -1.453152027f;
    static final float A5 = 1.061405429f;
}

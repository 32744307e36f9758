using InitCore.Backends;

namespace InitCore.Nn
{
    /// <summary>
    /// fastai's GeneralRelu from the lessons: leaky_relu(x, leak) (ReLU when leak = 0), minus sub, clamped
    /// above at maxv. Subtracting about 0.4 re-centres ReLU's output near zero mean.
    /// </summary>
    public sealed class GeneralReLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public GeneralReLU(Engine engine, double leak = 0, double sub = 0, double? maxv = null)
            : base(engine, default, "GeneralReLU") // Spec and Describe follow the settable Sub
        {
            RequireFinite(leak, nameof(leak), "0.1");
            RequireFinite(sub, nameof(sub), "0.4");
            if (maxv is double m && double.IsNaN(m)) throw new ArgumentException("maxv is NaN; pass a number or null.", nameof(maxv));
            Leak = leak;
            Sub = sub;
            MaxV = maxv;
        }

        /// <summary>Negative slope.</summary>
        public double Leak { get; }

        /// <summary>Subtracted after the activation; LSUV's fastai variant adjusts it to centre the mean.</summary>
        public double Sub { get; set; }

        /// <summary>Upper clamp, or null.</summary>
        public double? MaxV { get; }

        internal override ActivationSpec Spec => new ActivationSpec((float)Leak, (float)Sub, MaxV is double m ? (float)m : null);

        /// <inheritdoc />
        public override string Describe() => string.Format(CultureInfo.InvariantCulture, "GeneralReLU(leak={0}, sub={1:0.####}, maxv={2})", Leak, Sub, MaxV?.ToString(CultureInfo.InvariantCulture) ?? "none");
    }
}

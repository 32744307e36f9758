using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>max(x, 0). Equivalent to torch.nn.ReLU.</summary>
    public sealed class ReLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public ReLU(Engine engine) : base(engine, new ActivationSpec(0f, 0f, null), "ReLU()", Gain.Calculate(Nonlinearity.Relu))
        {
        }
    }
}

using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>A trainable tensor of a layer and its gradient (accumulated by backward until <see cref="ZeroGrad"/>).</summary>
    public sealed class Parameter
    {
        internal Parameter(string name, Tensor value)
        {
            Name = name;
            Value = value;
            Grad = value.Engine.CreateTensor(value.ShapeArray);
        }

        /// <summary>The name within its layer, e.g. <c>weight</c> or <c>bias</c>.</summary>
        public string Name { get; }

        /// <summary>The values.</summary>
        public Tensor Value { get; }

        /// <summary>The gradient of the loss with respect to <see cref="Value"/>.</summary>
        public Tensor Grad { get; }

        internal Tensor? MomentumBuffer { get; set; }

        /// <summary>Sets the gradient to zero.</summary>
        public void ZeroGrad()
        {
            Init.Zeros(Grad);
        }

        /// <inheritdoc />
        public override string ToString() => $"{Name} {Value}";
    }
}

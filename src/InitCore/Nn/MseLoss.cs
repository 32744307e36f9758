namespace InitCore.Nn
{
    /// <summary>
    /// Mean of (x − t)² over all elements. Equivalent to torch.nn.MSELoss() (reduction 'mean').
    /// </summary>
    public sealed class MseLoss : Loss
    {
        private Tensor? _x, _t;

        /// <inheritdoc />
        public override double Forward(Tensor prediction, Tensor target)
        {
            CheckPair(prediction, target);
            if (prediction.Length != target.Length)
                throw new ArgumentException($"target has {target.Length} elements but the prediction {TensorShape.Format(prediction.ShapeArray)} has {prediction.Length}.", nameof(target));
            double loss = prediction.Engine.Main.MseForward(prediction.Storage, target.Storage);
            _x = prediction;
            _t = target;
            return loss;
        }

        /// <inheritdoc />
        public override Tensor Backward()
        {
            Tensor x = _x ?? throw new InvalidOperationException("MseLoss.Backward was called before Forward.");
            Tensor dx = x.Engine.CreateTensor(x.ShapeArray);
            x.Engine.Main.MseBackward(x.Storage, _t!.Storage, dx.Storage);
            return dx;
        }

        /// <inheritdoc />
        public override string ToString() => "MseLoss()";
    }
}

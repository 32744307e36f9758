namespace InitCore.Nn
{
    /// <summary>A loss: a scalar from a prediction and a target, and the gradient with respect to the prediction.</summary>
    public abstract class Loss
    {
        /// <summary>Computes the loss (synchronizes to read the scalar) and caches what backward needs.</summary>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="ArgumentException">The target does not fit the prediction, or the two belong to different engines;
        /// nothing is cached and the previous pass stays usable.</exception>
        public abstract double Forward(Tensor prediction, Tensor target);

        /// <summary>The gradient of the last loss with respect to the prediction, of the prediction's shape.</summary>
        /// <exception cref="InvalidOperationException">No forward pass came first.</exception>
        public abstract Tensor Backward();

        /// <summary>The checks every loss makes before anything runs: both tensors present and on one engine.</summary>
        private protected static void CheckPair(Tensor prediction, Tensor target)
        {
            if (prediction is null) throw new ArgumentNullException(nameof(prediction));
            if (target is null) throw new ArgumentNullException(nameof(target));
            if (!ReferenceEquals(prediction.Engine, target.Engine))
                throw new ArgumentException("target belongs to another engine than the prediction; create both with one engine.", nameof(target));
        }
    }
}

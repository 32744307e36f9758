namespace InitCore.Initializers
{
    /// <summary>
    /// The nonlinearities of torch.nn.init.calculate_gain, under .NET names.
    /// The torch string for each is given in its documentation and accepted by <see cref="Gain.Parse"/>.
    /// </summary>
    public enum Nonlinearity
    {
        /// <summary><c>"linear"</c>: gain 1.</summary>
        Linear,
        /// <summary><c>"conv1d"</c>: gain 1.</summary>
        Conv1d,
        /// <summary><c>"conv2d"</c>: gain 1.</summary>
        Conv2d,
        /// <summary><c>"conv3d"</c>: gain 1.</summary>
        Conv3d,
        /// <summary><c>"conv_transpose1d"</c>: gain 1.</summary>
        ConvTranspose1d,
        /// <summary><c>"conv_transpose2d"</c>: gain 1.</summary>
        ConvTranspose2d,
        /// <summary><c>"conv_transpose3d"</c>: gain 1.</summary>
        ConvTranspose3d,
        /// <summary><c>"sigmoid"</c>: gain 1.</summary>
        Sigmoid,
        /// <summary><c>"tanh"</c>: gain 5/3.</summary>
        Tanh,
        /// <summary><c>"relu"</c>: gain √2.</summary>
        Relu,
        /// <summary><c>"leaky_relu"</c>: gain √(2 / (1 + slope²)), slope 0.01 by default.</summary>
        LeakyRelu,
        /// <summary><c>"selu"</c>: gain 3/4 (PyTorch's choice for self-normalizing networks).</summary>
        Selu,
    }

    /// <summary>Which fan an initializer scales by.</summary>
    public enum FanMode
    {
        /// <summary><c>"fan_in"</c>: preserves the variance of activations in the forward pass.</summary>
        FanIn,
        /// <summary><c>"fan_out"</c>: preserves the variance of gradients in the backward pass.</summary>
        FanOut,
        /// <summary><c>"fan_avg"</c> (Keras only): the mean of fan_in and fan_out.</summary>
        FanAvg,
    }

    /// <summary>The distribution of Keras' VarianceScaling.</summary>
    public enum VarianceDistribution
    {
        /// <summary><c>"truncated_normal"</c>: N(0, σ²) truncated to ±2σ, with σ = √(scale/n) / 0.87962566103423978 so the variance is scale/n.</summary>
        TruncatedNormal,
        /// <summary><c>"untruncated_normal"</c>: N(0, scale/n).</summary>
        UntruncatedNormal,
        /// <summary><c>"uniform"</c>: U(−√(3·scale/n), √(3·scale/n)).</summary>
        Uniform,
    }
}

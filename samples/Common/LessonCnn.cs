namespace InitCore.Samples
{
    /// <summary>The lessons' CNN (fastai 2019, lessons 10–11): five stride-2 convolutions with GeneralReLU(leak 0.1, sub 0.4), pooling, a linear head.</summary>
    internal static class LessonCnn
    {
        /// <summary>conv 1→8 (k5, s2, p2), then 8→16, 16→32, 32→64, 64→64 (k3, s2, p1), GeneralReLU after each, pool, flatten, Linear 64→10;
        /// every layer starts with PyTorch's default initialization drawn from <paramref name="generator"/>.</summary>
        public static Sequential Create(Engine e, RandomSource? generator = null) => new Sequential(e,
            new Conv2d(e, 1, 8, 5, 2, 2, generator: generator), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 8, 16, 3, 2, 1, generator: generator), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 16, 32, 3, 2, 1, generator: generator), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 32, 64, 3, 2, 1, generator: generator), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 64, 64, 3, 2, 1, generator: generator), new GeneralReLU(e, 0.1, 0.4),
            new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 64, 10, generator: generator));
    }
}

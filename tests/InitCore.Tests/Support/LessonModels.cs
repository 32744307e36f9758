namespace InitCore.Tests.Support
{
    internal static class LessonModels
    {
        /// <summary>The lessons' CNN: conv 1→8 (k5, s2, p2), then 8→16, 16→32, 32→64, 64→64 (k3, s2, p1), GeneralReLU after each, pool, flatten, Linear 64→10.</summary>
        internal static Sequential Cnn(Engine e, RandomSource? g = null) => new Sequential(e,
            new Conv2d(e, 1, 8, 5, 2, 2, generator: g), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 8, 16, 3, 2, 1, generator: g), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 16, 32, 3, 2, 1, generator: g), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 32, 64, 3, 2, 1, generator: g), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 64, 64, 3, 2, 1, generator: g), new GeneralReLU(e, 0.1, 0.4),
            new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 64, 10, generator: g));
    }
}

using InitCore.Cuda;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Support
{
    /// <summary>
    /// Base of the per-backend fixtures: each area has one abstract test class and one [TestClass] per
    /// backend. The CUDA fixture reports Inconclusive, with the load trace, when no usable GPU is present:
    /// it never passes silently.
    /// </summary>
    public abstract class BackendFixture
    {
        protected abstract BackendKind Kind { get; }

        protected Engine NewEngine(ulong seed = 0)
        {
            if (Kind == BackendKind.Cuda)
            {
                try
                {
                    return Engine.Create(new EngineOptions { Backend = BackendKind.Cuda, Seed = seed });
                }
                catch (CudaUnavailableException ex)
                {
                    Assert.Inconclusive($"No usable CUDA device, so the CUDA backend was not exercised. {ex.Message}");
                    throw; // unreachable: Inconclusive throws
                }
            }
            return Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = seed });
        }

        protected static Engine CpuEngine(ulong seed = 0) => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = seed });
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    [TestClass]
    public sealed class HookTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 2 });

        [TestMethod]
        public void ForwardAndBackwardHooks_FireForNestedLayers_HoweverTheModelIsCalled()
        {
            using var e = Cpu();
            var inner = new Linear(e, 4, 4);
            var model = new Sequential(e, new Sequential(e, inner, new ReLU(e)), new Linear(e, 4, 2));
            var seen = new List<string>();
            using var f = inner.RegisterForwardHook((m, x, y) => seen.Add($"fwd {m.Describe()} {x.Shape[1]}→{y.Shape[1]}"));
            using var b = inner.RegisterBackwardHook((m, dy, dx) => seen.Add($"bwd {dy.Shape[1]}→{dx.Shape[1]}"));
            using Tensor x = e.CreateTensor(3, 4);
            Init.Normal(x);
            Tensor y = model.Forward(x);
            model.Backward(y);
            using var target = e.CreateTensor(new float[] { 0, 1, 0 }, 3);
            Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.01), _ => new[] { (x, target) }, null, 1);
            CollectionAssert.AreEqual(new[] { "fwd Linear(4→4) 4→4", "bwd 4→4", "fwd Linear(4→4) 4→4", "bwd 4→4" }, seen);
        }

        [TestMethod]
        public void HookHandle_DisposedTwice_IsNoOp_AndRemovesTheHook()
        {
            using var e = Cpu();
            var lin = new Linear(e, 2, 2);
            int calls = 0;
            HookHandle h = lin.RegisterForwardHook((_, _, _) => calls++);
            using Tensor x = e.CreateTensor(1, 2);
            lin.Forward(x);
            h.Dispose();
            h.Dispose();
            Assert.IsTrue(h.IsRemoved);
            lin.Forward(x);
            Assert.AreEqual(1, calls);
            Assert.AreEqual(0, lin.HookCount);
        }

        [TestMethod]
        public void HookScope_RemovesEveryHook_EvenWhenAnExceptionIsThrown()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 2, 2), new ReLU(e), new Linear(e, 2, 2));
            try
            {
                using var scope = new HookScope();
                foreach (Module m in model.Modules()) scope.Forward(m, (_, _, _) => { });
                scope.Backward(model, (_, _, _) => { });
                Assert.AreEqual(5, scope.Count);
                throw new InvalidOperationException("boom");
            }
            catch (InvalidOperationException)
            {
            }
            Assert.IsTrue(model.Modules().All(m => m.HookCount == 0));
        }

        [TestMethod]
        public void HookThatThrows_LeavesTheModelUsable()
        {
            using var e = Cpu();
            var lin = new Linear(e, 2, 2);
            using Tensor x = e.CreateTensor(1, 2);
            using (lin.RegisterForwardHook((_, _, _) => throw new InvalidOperationException("hook failed")))
                Assert.ThrowsExactly<InvalidOperationException>(() => lin.Forward(x));
            Assert.AreEqual(2L, lin.Forward(x).Length);
        }
    }
}

using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>Where PyTorch raises, InitCore throws ArgumentException naming the parameter and the expected form; nothing is changed.</summary>
    [TestClass]
    public sealed class ErrorTests
    {
        private static Engine NewEngine() => Engine.Create(new EngineOptions { Seed = 1 });

        private static ArgumentException Throws(Action action, string paramName, string messagePart)
        {
            var ex = Assert.Throws<ArgumentException>(action);
            Assert.AreEqual(paramName, ex.ParamName);
            StringAssert.Contains(ex.Message, messagePart);
            return ex;
        }

        [TestMethod]
        public void KaimingNormal_On1DTensor_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(10);
            Throws(() => Init.KaimingNormal(t), "tensor", "fewer than 2 dimensions (got shape [10])");
        }

        [TestMethod]
        public void XavierUniform_OnSpanWith1DShape_ThrowsNamingShape()
        {
            using var e = NewEngine();
            Throws(() => Init.XavierUniform(e, new float[10], new[] { 10 }), "shape", "fewer than 2 dimensions");
        }

        [TestMethod]
        public void Eye_On3DTensor_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(2, 2, 2);
            Throws(() => Init.Eye(t), "tensor", "Only tensors with 2 dimensions are supported");
        }

        [TestMethod]
        public void Dirac_On2DTensor_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(4, 4);
            Throws(() => Init.Dirac(t), "tensor", "Only tensors with 3 to 5 dimensions are supported");
        }

        [TestMethod]
        public void Dirac_GroupsNotDividingDim0_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(6, 2, 3, 3);
            Throws(() => Init.Dirac(t, 4), "groups", "dim 0 must be divisible by groups");
            Throws(() => Init.Dirac(t, 0), "groups", "groups must be ≥ 1");
        }

        [TestMethod]
        public void Orthogonal_On1DTensor_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(6);
            Throws(() => Init.Orthogonal(t), "tensor", "Only tensors with 2 or more dimensions");
        }

        [TestMethod]
        public void Sparse_On3DOrBadSparsity_Throws()
        {
            using var e = NewEngine();
            using var t3 = e.CreateTensor(2, 2, 2);
            Throws(() => Init.Sparse(t3, 0.1), "tensor", "Only tensors with 2 dimensions");
            using var t2 = e.CreateTensor(4, 4);
            Throws(() => Init.Sparse(t2, 1.5), "sparsity", "sparsity must be in [0, 1]");
        }

        [TestMethod]
        public void Kaiming_FanAvgOrUndefinedMode_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(4, 4);
            Throws(() => Init.KaimingUniform(t, mode: FanMode.FanAvg), "mode", "Mode fan_avg not supported, please use one of fan_in, fan_out");
            Throws(() => Init.KaimingNormal(t, mode: (FanMode)7), "mode", "Mode 7 not supported");
        }

        [TestMethod]
        public void Kaiming_UndefinedNonlinearity_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(4, 4);
            Throws(() => Init.KaimingNormal(t, nonlinearity: (Nonlinearity)42), "nonlinearity", "Unsupported nonlinearity");
        }

        [TestMethod]
        public void Uniform_LowAboveHigh_Throws()
        {
            using var e = NewEngine();
            Throws(() => Init.Uniform(e, new float[4], 2, 1), "a", "a=2 > b=1");
        }

        [TestMethod]
        public void Normal_NegativeStd_Throws()
        {
            using var e = NewEngine();
            Throws(() => Init.Normal(e, new float[4], 0, -1), "std", "std ≥ 0.0, but found std=-1");
        }

        [TestMethod]
        public void TruncatedNormal_EmptyRangeOrZeroStd_Throws()
        {
            using var e = NewEngine();
            Throws(() => Init.TruncatedNormal(e, new float[4], 0, 1, 2, 2), "a", "a < b");
            Throws(() => Init.TruncatedNormal(e, new float[4], 0, 0, -2, 2), "std", "std > 0");
        }

        [TestMethod]
        public void VarianceScaling_NonPositiveScaleOrBadDistribution_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(4, 4);
            Throws(() => Init.VarianceScaling(t, 0), "scale", "positive");
            Throws(() => Init.VarianceScaling(t, 1, FanMode.FanIn, (VarianceDistribution)5), "distribution", "truncated_normal, untruncated_normal, uniform");
        }

        [TestMethod]
        public void ExplicitZeroFan_Throws()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(4, 4);
            Throws(() => Init.KaimingNormal(t, fans: new Fans(0, 4)), "fans", "the fan used must be positive");
        }

        [TestMethod]
        public void SpanLengthNotMatchingShape_Throws()
        {
            using var e = NewEngine();
            Throws(() => Init.KaimingNormal(e, new float[10], new[] { 3, 4 }), "data", "needs 12");
        }

        [TestMethod]
        public void FailedCall_LeavesTensorAndGeneratorUnchanged_EngineStaysUsable()
        {
            using var e = NewEngine();
            using var t = e.CreateTensor(3, 3, 3);
            Init.Normal(t);
            float[] before = t.ToArray();
            ulong offset = e.DefaultGenerator.Offset;
            Assert.Throws<ArgumentException>(() => Init.Eye(t));
            Assert.Throws<ArgumentException>(() => Init.Dirac(t, 2));
            Assert.Throws<ArgumentException>(() => Init.KaimingNormal(t, mode: FanMode.FanAvg));
            CollectionAssert.AreEqual(before, t.ToArray());
            Assert.AreEqual(offset, e.DefaultGenerator.Offset);
            Init.KaimingNormal(t);
            Assert.AreNotEqual(before[0], t.ToArray()[0]);
        }
    }
}

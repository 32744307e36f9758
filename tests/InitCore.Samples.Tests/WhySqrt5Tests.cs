using System;
using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class WhySqrt5Tests : TempFolder
    {
        [TestMethod]
        public void WhySqrt5_Small_MeasuresTheDefaultAtAThirdOfTheVariance_AndTheGainTable()
        {
            JsonElement doc = SampleRun.Json(WhySqrt5Program.Run, Folder);
            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());
            Assert.AreEqual(1.0, doc.GetProperty("input").GetProperty("std").GetDouble(), 0.05, "normalized with the training statistics");

            JsonElement[] rows = doc.GetProperty("conv").GetProperty("rows").EnumerateArray().ToArray();
            JsonElement Row(string id) => rows.Single(r => r.GetProperty("id").GetString() == id);
            double std = Row("default").GetProperty("std").GetDouble();
            double kaiming = Row("kaiming_normal_a1").GetProperty("std").GetDouble();
            // On these digits a 5×5 patch has E[x²] ≈ 1.3 (the valid convolution skips the blank border), so the
            // measured stds sit about 14% above the unit-input values 0.577 and 1; the formula predicts them.
            Assert.IsTrue(std > 0.5 && std < 0.8, $"default: std {std}");
            Assert.IsTrue(kaiming > 0.9 && kaiming < 1.3, $"kaiming_normal(a=1): std {kaiming}");
            Assert.AreEqual(1 / Math.Sqrt(3), std / kaiming, 0.06, "the default's std is 1/√3 of kaiming_normal(a=1)'s");
            foreach (string id in new[] { "default", "kaiming_normal_a1" })
            {
                double measured = Row(id).GetProperty("std").GetDouble(), predicted = Row(id).GetProperty("predicted_std").GetDouble();
                Assert.AreEqual(1.0, measured / predicted, 0.1, $"{id}: measured {measured}, predicted {predicted}");
            }
            Assert.IsTrue(Row("kaiming_normal_a0_relu").GetProperty("std").GetDouble() > 1.8 * Row("default_relu").GetProperty("std").GetDouble(),
                "after a ReLU, the leaky gain √2 keeps about twice the default's std");

            double[] a = doc.GetProperty("gains").EnumerateArray().Select(g => g.GetProperty("a").GetDouble()).ToArray();
            double[] gain = doc.GetProperty("gains").EnumerateArray().Select(g => g.GetProperty("gain").GetDouble()).ToArray();
            CollectionAssert.AreEqual(new[] { 1.0, 0.0, 0.01, 0.1, Math.Sqrt(5) }, a);
            double[] expected = { 1.0, 1.4142135623730951, 1.4141428569978354, 1.4071950894605838, 0.5773502691896257 };   // the lesson's table
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], gain[i], 1e-15, $"gain at a = {a[i]}");
                Assert.AreEqual(Math.Sqrt(2 / (1 + a[i] * a[i])), gain[i], 1e-15);
            }
            Assert.AreEqual(0.5774, doc.GetProperty("uniform_std").GetProperty("std").GetDouble(), 0.005, "std of U(−1, 1)");

            JsonElement[] cnn = doc.GetProperty("cnn").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(new[] { "default", "kaiming_uniform" }, cnn.Select(c => c.GetProperty("init").GetString()).ToArray());
            double gradDefault = cnn[0].GetProperty("first_layer_grad_std").GetDouble(), gradKaiming = cnn[1].GetProperty("first_layer_grad_std").GetDouble();
            Assert.IsTrue(gradDefault > 0 && gradKaiming > 3 * gradDefault, $"first-layer gradient std: default {gradDefault}, kaiming_uniform {gradKaiming}");
            Assert.IsTrue(cnn[1].GetProperty("output_std").GetDouble() > 10 * cnn[0].GetProperty("output_std").GetDouble(), "the default's output all but vanishes");

            SampleRun.AssertPngs(Folder, doc.GetProperty("files"),
                "conv-output-default.png", "conv-output-kaiming-normal-a1.png", "cnn-weights-default.png", "cnn-weights-kaiming-uniform.png");
        }
    }
}

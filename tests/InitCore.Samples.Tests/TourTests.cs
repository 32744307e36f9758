using System;
using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class TourTests : TempFolder
    {
        [TestMethod]
        public void Tour_Small_ReportsEachSchemesLayersAndAccuracy_AndWritesPlots()
        {
            JsonElement doc = SampleRun.Json(TourProgram.Run, Folder);

            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());
            StringAssert.StartsWith(doc.GetProperty("backend").GetProperty("reason").GetString(), "CPU backend");
            JsonElement[] schemes = doc.GetProperty("schemes").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(new[] { "default", "kaiming", "lsuv" }, schemes.Select(s => s.GetProperty("name").GetString()).ToArray());
            foreach (JsonElement s in schemes)
            {
                JsonElement[] layers = s.GetProperty("layers").EnumerateArray().ToArray();
                Assert.AreEqual(6, layers.Length, "five conv blocks and the linear head");
                foreach (JsonElement l in layers)
                {
                    Assert.IsFalse(string.IsNullOrEmpty(l.GetProperty("name").GetString()));
                    Assert.IsTrue(double.IsFinite(l.GetProperty("mean").GetDouble()));
                    Assert.IsTrue(l.GetProperty("std").GetDouble() > 0);
                }
                double accuracy = s.GetProperty("valid_accuracy").GetDouble();
                Assert.IsTrue(accuracy >= 0 && accuracy <= 1, $"{s.GetProperty("name")}: valid_accuracy {accuracy}");
            }

            // The story: the default's deepest conv block has shrunk; LSUV's layers sit at std 1.
            double[] Stds(int scheme) => schemes[scheme].GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("std").GetDouble()).ToArray();
            Assert.IsTrue(Stds(0)[4] < 0.5, $"default, last conv block: std {Stds(0)[4]}");
            foreach (double std in Stds(2)) Assert.AreEqual(1.0, std, 0.1, "LSUV layer std on the probe batch");
            Assert.IsTrue(doc.GetProperty("lsuv").GetProperty("all_converged").GetBoolean());

            SampleRun.AssertPngs(Folder, doc.GetProperty("files"),
                "default-mean-std.png", "default-colorful-dimension.png", "kaiming-mean-std.png", "kaiming-colorful-dimension.png",
                "lsuv-mean-std.png", "lsuv-colorful-dimension.png");
        }
    }
}

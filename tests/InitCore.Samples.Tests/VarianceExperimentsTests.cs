using System;
using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class VarianceExperimentsTests : TempFolder
    {
        private static JsonElement Chain(JsonElement doc, string name) =>
            doc.GetProperty("repeated_products").GetProperty("chains").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

        [TestMethod]
        public void VarianceExperiments_Small_ExplodeVanishAndStay_AsTheLessonSays()
        {
            JsonElement doc = SampleRun.Json(VarianceExperimentsProgram.Run, Folder);
            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());

            // randn: ×22.6 per product, past float32's 3.4e38 after about 28 products.
            int overflow = Chain(doc, "randn").GetProperty("first_non_finite").GetInt32();
            Assert.IsTrue(overflow >= 20 && overflow <= 40, $"randn overflows at product {overflow}");
            Assert.AreEqual(JsonValueKind.Null, Chain(doc, "randn").GetProperty("final_std").ValueKind, "its final std is NaN, written as null");

            JsonElement small = Chain(doc, "randn × 0.01");
            Assert.AreEqual(JsonValueKind.Number, small.GetProperty("first_zero").ValueKind, "×0.01 reaches exactly 0");
            Assert.AreEqual(0.0, small.GetProperty("final_std").GetDouble());

            double scaled = Chain(doc, "randn / √512").GetProperty("final_std").GetDouble();
            Assert.IsTrue(scaled > 0.5 && scaled < 2, $"/√512 after 100 products: std {scaled}");
            double relu = Chain(doc, "randn / √512 + ReLU").GetProperty("final_std").GetDouble();
            Assert.IsTrue(relu < 1e-6, $"/√512 with ReLU: std {relu} (the variance halves every product)");
            double factor = Chain(doc, "randn / √512 + ReLU").GetProperty("std_factor_per_product").GetDouble();
            Assert.AreEqual(Math.Sqrt(0.5), factor, 0.03, "ReLU halves the mean square: std × 1/√2 per product");
            double kaiming = Chain(doc, "Kaiming + ReLU").GetProperty("final_std").GetDouble();
            Assert.IsTrue(kaiming > 0.1 && kaiming < 10, $"Kaiming keeps ReLU activations alive: std {kaiming}");
            double shifted = Chain(doc, "Kaiming + ReLU − 0.5").GetProperty("final_mean").GetDouble();
            Assert.IsTrue(Math.Abs(shifted) < Math.Abs(Chain(doc, "Kaiming + ReLU").GetProperty("final_mean").GetDouble()), "ReLU − 0.5 pulls the mean towards 0");

            JsonElement[] squares = doc.GetProperty("mean_of_squares").EnumerateArray().ToArray();
            double MeanSquare(string name) => squares.Single(s => s.GetProperty("name").GetString() == name).GetProperty("mean_of_squares").GetDouble();
            Assert.AreEqual(512, MeanSquare("y = W·x, W ~ N(0, 1)"), 512 * 0.1, "mean of squares ≈ 512");
            Assert.AreEqual(1, MeanSquare("y = (W / √512)·x"), 0.1, "≈ 1 after dividing by √512");
            Assert.AreEqual(1, MeanSquare("y = a·x, scalars a, x ~ N(0, 1)"), 0.05, "scalars: ≈ 1");
            Assert.AreEqual(256, MeanSquare("y = ReLU(W·x)"), 256 * 0.1, "ReLU keeps half");
            Assert.AreEqual(1, MeanSquare("y = ReLU(W·√(2/512)·x)"), 0.1, "Kaiming gives it back");

            JsonElement[] runs = doc.GetProperty("until_vanishes").GetProperty("runs").EnumerateArray().ToArray();
            Assert.AreEqual(6, runs.Length, "three matrices, with and without ReLU");
            JsonElement tiny = runs.Single(r => r.GetProperty("init").GetString() == "U(−0.01, 0.01)" && !r.GetProperty("relu").GetBoolean());
            Assert.AreEqual("zero", tiny.GetProperty("outcome").GetString());
            Assert.IsTrue(tiny.GetProperty("multiplications").GetInt32() < 100);
            JsonElement kaimingRun = runs.Single(r => r.GetProperty("init").GetString()!.StartsWith("kaiming", StringComparison.Ordinal) && !r.GetProperty("relu").GetBoolean());
            Assert.AreNotEqual("zero", kaimingRun.GetProperty("outcome").GetString(), "kaiming_uniform's gain √2 makes a linear product grow, not vanish");

            SampleRun.AssertPngs(Folder, doc.GetProperty("files"), "repeated-products.png");
        }
    }
}

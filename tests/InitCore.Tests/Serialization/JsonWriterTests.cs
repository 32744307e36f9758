using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Serialization
{
    [TestClass]
    public sealed class JsonWriterTests
    {
        [TestMethod]
        public void JsonWriter_Compact_PlacesCommasAndNothingElse()
        {
            string json = new JsonWriter().StartObject()
                .Name("a").Number(1L).Name("b").StartArray().Bool(true).Bool(false).Null().StartArray().EndArray().StartObject().EndObject().EndArray()
                .Name("c").String("x").Name("d").StartObject().Name("e").Number(-2.5).EndObject()
                .EndObject().ToString();
            Assert.AreEqual("{\"a\":1,\"b\":[true,false,null,[],{}],\"c\":\"x\",\"d\":{\"e\":-2.5}}", json);
        }

        [TestMethod]
        public void JsonWriter_Strings_GetTheRfc8259EscapesOnly()
        {
            string json = new JsonWriter().String("q\"b\\n\nr\rt\tb\bf\f\u0001\u001f →√±😀/").ToString();
            Assert.AreEqual("\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f →√±😀/\"", json);
            Assert.AreEqual("q\"b\\n\nr\rt\tb\bf\f\u0001\u001f →√±😀/", JsonParser.Parse(json).Text);
        }

        [TestMethod]
        public void JsonWriter_NonFiniteAndMissingNumbers_AreNull()
        {
            string json = new JsonWriter().StartArray().Number(double.NaN).Number(double.PositiveInfinity).Number(double.NegativeInfinity).Number((double?)null)
                .String(null).EndArray().ToString();
            Assert.AreEqual("[null,null,null,null,null]", json);
        }

        [TestMethod]
        public void JsonWriter_Doubles_RoundTripBitForBit()
        {
            double[] values = { 0.1, 1.0 / 3.0, -1e-300, double.Epsilon, double.MaxValue, 123456789.123456789, 2.5e-7, 1e21 };
            foreach (double v in values)
            {
                string text = new JsonWriter().Number(v).ToString();
                Assert.AreEqual(BitConverter.DoubleToInt64Bits(v), BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), text);
                Assert.AreEqual(JsonKind.Number, JsonParser.Parse(text).Kind, text);
            }
            Assert.AreEqual("18446744073709551615", new JsonWriter().Number(ulong.MaxValue).ToString());
            Assert.AreEqual("-9223372036854775808", new JsonWriter().Number(long.MinValue).ToString());
        }

        [TestMethod]
        public void JsonWriter_UnderACommaCulture_WritesInvariantNumbers()
        {
            CultureInfo saved = CultureInfo.CurrentCulture;
            try
            {
                // The tests run with invariant globalization, so the comma culture is built by hand (as de-DE writes numbers, with a Unicode minus).
                var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
                comma.NumberFormat.NumberDecimalSeparator = ",";
                comma.NumberFormat.NegativeSign = "\u2212";
                CultureInfo.CurrentCulture = comma;
                Assert.AreEqual("\u22121,5", (-1.5).ToString(CultureInfo.CurrentCulture), "the culture must change how numbers are written, or this test cannot fail");
                Assert.AreEqual("[1.5,-3,-0.25]", new JsonWriter().StartArray().Number(1.5).Number(-3L).Number(-0.25).EndArray().ToString());
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
            }
        }

        [TestMethod]
        public void JsonWriter_Indented_MatchesSystemTextJsonLayout()
        {
            string ours = new JsonWriter(indented: true).StartObject()
                .Name("name").String("run").Name("values").StartArray().Number(1L).Number(0.5).EndArray()
                .Name("empty").StartArray().EndArray().Name("none").StartObject().EndObject()
                .Name("nested").StartObject().Name("ok").Bool(true).Name("list").StartArray().StartObject().Name("x").Null().EndObject().EndArray().EndObject()
                .EndObject().ToString();
            var node = new JsonObject
            {
                ["name"] = "run",
                ["values"] = new JsonArray(1, 0.5),
                ["empty"] = new JsonArray(),
                ["none"] = new JsonObject(),
                ["nested"] = new JsonObject { ["ok"] = true, ["list"] = new JsonArray(new JsonObject { ["x"] = null }) },
            };
            Assert.AreEqual(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ours);
        }

        [TestMethod]
        public void JsonWriter_CloseWithoutOpen_ThrowsNamingTheBracket()
        {
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => new JsonWriter().EndObject());
            StringAssert.Contains(e.Message, "'}' has no open container to close");
            var afterName = Assert.ThrowsExactly<InvalidOperationException>(() => new JsonWriter().StartObject().Name("k").EndObject());
            StringAssert.Contains(afterName.Message, "follows a member name without a value");
        }
    }
}

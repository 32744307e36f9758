// Makes the Unity Package Manager folder (build.ps1 pack calls it after dotnet pack):
//   dotnet run --project tools/InitCore.Packaging -- --dll <netstandard2.1 InitCore.dll> --out <folder> --root <repository> --version <x.y.z>
using System;
using System.Collections.Generic;
using InitCore.Packaging;

var options = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
foreach (string required in new[] { "--dll", "--out", "--root", "--version" })
{
    if (!options.ContainsKey(required))
    {
        Console.Error.WriteLine($"missing {required}; usage: --dll PATH --out FOLDER --root REPOSITORY --version X.Y.Z");
        return 2;
    }
}
UpmPackage.Build(options["--out"], options["--dll"], options["--root"], options["--version"]);
IReadOnlyList<string> problems = UpmPackage.Validate(options["--out"]);
foreach (string p in problems) Console.Error.WriteLine($"invalid package: {p}");
Console.WriteLine(problems.Count == 0 ? $"Unity package: {options["--out"]}" : "Unity package has problems");
return problems.Count == 0 ? 0 : 1;

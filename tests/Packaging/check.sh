#!/usr/bin/env bash
# Packaging check (called by .ci/run; runs alone too): packs InitCore, InitCore.Plots and InitCore.Datasets
# into a local folder feed, then copies ConsumerApp (a new net8.0 console app) and ConsumerLib (a
# netstandard2.1 library) out of the repository, restores them from that feed with no project reference to
# InitCore, builds them and runs the app: each initializes a model, runs LSUV on the bundled digits and
# writes a chart. Also checks that each assembly package has its symbols package (.snupkg) and the
# repository URL. Offline: third-party packages come from the global packages folder (a fallback folder),
# InitCore's only from the local feed (package source mapping), under a version no cache can hold
# (X.Y.Z-check.TIMESTAMP), restored into a temporary packages folder that is removed at the end.
#   bash tests/Packaging/check.sh [--keep]     (--keep: leave the work folder and print where it is)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d -t initcore-packaging-XXXXXX)
if [[ ${1:-} == --keep ]]; then echo "packaging check: work folder $work"; else trap 'rm -rf "$work"' EXIT; fi
fail() { echo "packaging check failed: $*" >&2; exit 1; }

global=${NUGET_PACKAGES:-$HOME/.nuget/packages}
base=$(dotnet msbuild "$root/src/InitCore/InitCore.csproj" -getProperty:Version)
version="$base-check.$(date -u +%Y%m%d%H%M%S)"
feed="$work/feed"
for project in InitCore InitCore.Plots InitCore.Datasets; do
  dotnet pack "$root/src/$project/$project.csproj" -c Release -o "$feed" -p:PackageVersion="$version" -v quiet >"$work/pack-$project.log" 2>&1 \
    || { tail -n 30 "$work/pack-$project.log"; fail "dotnet pack src/$project"; }
  [[ -f $feed/$project.$version.nupkg ]] || fail "$project.$version.nupkg was not made"
done
for project in InitCore InitCore.Plots; do
  [[ -f $feed/$project.$version.snupkg ]] || fail "$project has no symbols package ($project.$version.snupkg)"
  nuspec=$(unzip -p "$feed/$project.$version.nupkg" "$project.nuspec")
  grep -q '<repository type="git" url="https://github.com/initcore/initcore"' <<<"$nuspec" || fail "$project's nuspec has no repository URL"
  grep -q '<projectUrl>https://github.com/initcore/initcore</projectUrl>' <<<"$nuspec" || fail "$project's nuspec has no project URL"
  unzip -l "$feed/$project.$version.nupkg" README.md >/dev/null || fail "$project has no README.md"
done
listing=$(unzip -l "$feed/InitCore.Datasets.$version.nupkg")   # whole, not piped into grep -q (pipefail and SIGPIPE)
for file in buildTransitive/InitCore.Datasets.props buildTransitive/mnist-subset/{train,valid}-{images-idx3,labels-idx1}-ubyte.gz; do
  grep -q "$file" <<<"$listing" || fail "InitCore.Datasets has no $file"
done
listing=$(unzip -l "$feed/InitCore.$version.nupkg")
for file in build/InitCore.props buildTransitive/InitCore.props; do   # the public namespaces as global usings
  grep -q "$file" <<<"$listing" || fail "InitCore has no $file"
done
echo "packaging check: packed InitCore, InitCore.Plots and InitCore.Datasets $version (with .snupkg symbols)"

cp -r "$root/tests/Packaging/ConsumerApp" "$root/tests/Packaging/ConsumerLib" "$work/"
rm -rf "$work"/Consumer*/bin "$work"/Consumer*/obj
cat >"$work/Directory.Build.props" <<XML
<Project>
  <PropertyGroup><InitCoreVersion>$version</InitCoreVersion></PropertyGroup>
</Project>
XML
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="initcore-local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <fallbackPackageFolders>
    <add key="global" value="$global" />
  </fallbackPackageFolders>
  <packageSourceMapping>
    <packageSource key="initcore-local">
      <package pattern="InitCore" />
      <package pattern="InitCore.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML
export NUGET_PACKAGES="$work/packages"
(cd "$work" && dotnet build ConsumerApp/ConsumerApp.csproj -c Release -v quiet >"$work/build.log" 2>&1) \
  || { tail -n 30 "$work/build.log"; fail "the consumer projects did not build from the local feed"; }
for asset in "$work/ConsumerApp/obj/project.assets.json" "$work/ConsumerLib/obj/project.assets.json"; do
  for id in InitCore InitCore.Plots InitCore.Datasets; do
    types=$(grep -A1 "\"$id/$version\": {" "$asset" | grep -o '"type": "[a-z]*"' | sort -u)
    [[ $types == '"type": "package"' ]] || fail "$asset does not resolve $id $version as a package (found: ${types:-nothing})"
  done
done
(cd "$work" && dotnet ConsumerApp/bin/Release/net8.0/ConsumerApp.dll "$work/charts") || fail "the consumer app failed"
echo "packaging check: passed"

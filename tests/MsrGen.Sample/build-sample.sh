#!/usr/bin/env bash
# Packs MsrGen.Registers and MsrGen into artifacts/packages, then builds and runs the sample from
# those packages with a private package cache (artifacts/sample-nuget-cache), wiped first, so the
# sample always sees the packages just packed and never a cached 0.1.0.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
configuration="${CONFIGURATION:-Release}"
cache="$root/artifacts/sample-nuget-cache"

dotnet pack "$root/registers/MsrGen.Registers/MsrGen.Registers.csproj" -c "$configuration" -o "$root/artifacts/packages" --nologo
dotnet pack "$root/analyzers/MsrGen.Package/MsrGen.Package.csproj" -c "$configuration" -o "$root/artifacts/packages" --nologo

rm -rf "$cache" "$root/tests/MsrGen.Sample/bin" "$root/tests/MsrGen.Sample/obj"
export NUGET_PACKAGES="$cache"
dotnet build "$root/tests/MsrGen.Sample/MsrGen.Sample.csproj" -c "$configuration" --nologo
dotnet run --project "$root/tests/MsrGen.Sample/MsrGen.Sample.csproj" -c "$configuration" --no-build

using System.Text.Json.Nodes;

namespace OrleansImaging.Dicom.Tests.Json;

/// <summary>
/// A rule under which two different renderings of one attribute count as the same: dcm2json's
/// (null when it wrote none) and ours (null when we wrote none). Each rule is one known, explained
/// difference between dcmtk and us (see <see cref="Dcm2JsonNormalizations"/>).
/// </summary>
internal delegate bool AttributeEquivalence(string tag, JsonObject? dcmtk, JsonObject? ours);

/// <summary>Compares two DICOM JSON trees attribute by attribute, items recursively.</summary>
internal sealed class JsonTreeComparison(IReadOnlyList<(string Name, AttributeEquivalence Rule)> rules)
{
    public Dictionary<string, int> RulesUsed { get; } = [];

    public List<string> Differences { get; } = [];

    public void Compare(JsonObject dcmtk, JsonObject ours, string path = "")
    {
        var keys = dcmtk.Select(p => p.Key).Union(ours.Select(p => p.Key)).Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var theirs = dcmtk[key] as JsonObject;
            var mine = ours[key] as JsonObject;
            if (theirs is not null && mine is not null)
            {
                if (JsonNode.DeepEquals(theirs, mine))
                    continue;
                if ((string?)theirs["vr"] == "SQ" && (string?)mine["vr"] == "SQ"
                    && theirs["Value"] is JsonArray theirItems && mine["Value"] is JsonArray myItems && theirItems.Count == myItems.Count)
                {
                    for (var i = 0; i < theirItems.Count; i++)
                        Compare((JsonObject)theirItems[i]!, (JsonObject)myItems[i]!, $"{path}{key}[{i}].");
                    continue;
                }
            }
            var rule = rules.FirstOrDefault(r => r.Rule(key, theirs, mine));
            if (rule.Name is not null)
            {
                RulesUsed[rule.Name] = RulesUsed.GetValueOrDefault(rule.Name) + 1;
                continue;
            }
            Differences.Add($"{path}{key}: dcm2json {Show(theirs)} | ours {Show(mine)}");
        }
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "(absent)";
        return text.Length > 160 ? text[..160] + "…" : text;
    }
}

using YamlDotNet.RepresentationModel;

namespace Study.Tests.Deployment;

/// <summary>The documents `kustomize build` writes, read with YamlDotNet into plain values: mappings as
/// <see cref="Dictionary{TKey,TValue}"/> of string to object?, sequences as <see cref="List{T}"/> of object?, scalars as
/// their text (numbers and booleans too), which is how the manifest checks walk and change them.</summary>
public static class ManifestYaml
{
    public static List<Dictionary<string, object?>> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" })
            .Select(d => Plain(d.RootNode) as Dictionary<string, object?> ?? throw new FormatException($"a document at {d.RootNode.Start} is not a mapping"))
            .ToList();
    }

    static object? Plain(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => Plain(c.Value)),
        YamlSequenceNode sequence => sequence.Children.Select(Plain).ToList(),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "null" or "~" or "" } => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new FormatException($"unexpected YAML node at {node.Start}"),
    };
}

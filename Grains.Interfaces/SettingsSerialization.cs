using Study.Settings;

// The settings enums live in Study.Settings, which has no Orleans: generate their codecs here, where StudySpec uses them.
[assembly: GenerateCodeForDeclaringAssembly(typeof(LossKind))]

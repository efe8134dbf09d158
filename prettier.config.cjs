/** @type {import('prettier').Config} */

// OCA's prettier.config.cjs (OCA/oca-addons-repo-template, Odoo 18), with
// one project override: XML keeps the layout of Odoo's own views (4 spaces,
// 100 columns, whitespace not significant), as the project always had it.
const config = {
  // https://github.com/prettier/prettier/issues/15388#issuecomment-1717746872
  plugins: [require.resolve("@prettier/plugin-xml")],
  bracketSpacing: false,
  printWidth: 88,
  proseWrap: "always",
  semi: true,
  trailingComma: "es5",
  xmlWhitespaceSensitivity: "preserve",
  overrides: [
    {
      files: "*.xml",
      options: {
        printWidth: 100,
        tabWidth: 4,
        xmlWhitespaceSensitivity: "ignore",
      },
    },
  ],
};

module.exports = config;

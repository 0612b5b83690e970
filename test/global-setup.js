// Runs once before jest: builds what the tests synthesize from and run, as `npm run build` would
// (the pre-built Lambda handlers of the collection package).
module.exports = async () => {
  await require('../packages/collection/lambda/build.js').bundle();
};

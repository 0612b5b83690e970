// Runs once before jest: builds what the tests synthesize from and run, as `npm run build` would
// (the pre-built Lambda handlers of the collection package, then the apps' own handlers, which
// inline the collection package's StreamConsumer runtime).
module.exports = async () => {
  await require('../packages/collection/lambda/build.js').bundle();
  await require('../apps/real-time-analytics/lambda/build.js').bundle();
};

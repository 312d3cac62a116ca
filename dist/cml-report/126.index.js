export const id = 126;
export const ids = [126];
export const modules = {

/***/ 7126:
/***/ ((module) => {

module.exports = eval("require")("canvas");


/***/ })

};
